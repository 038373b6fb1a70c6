"""Training entry points (ml/train.py): ensure_trained, the CLI, and a run on real data."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd
import pytest

import ml.train
from ml import modelsets, registry
from ml.data import load_dataset, read_transactions
from ml.data.store import load_dataset_from_db
from ml.errors import DataValidationError
from ml.service import Caddie
from ml.settings import MLSettings
from ml.train import ensure_trained, main, train_all

SIM_END = date(2024, 6, 30)


def _model_files(model_dir: Path) -> dict[str, int]:
    return {p.name: p.stat().st_mtime_ns for p in sorted(model_dir.iterdir())}


# ---------------------------------------------------------------------------- ensure_trained
@pytest.fixture(scope="module")
def ensured(tmp_path_factory: pytest.TempPathFactory) -> tuple[MLSettings, Path]:
    """``ensure_trained`` run once, as on a fresh machine, on a small simulated store."""
    tmp = tmp_path_factory.mktemp("ensure")
    settings = MLSettings(model_dir=tmp / "models", database_url=f"sqlite:///{tmp}/db.sqlite",
                          data_source="simulator", simulator_customers=60, simulator_days=200,
                          simulator_end=SIM_END.isoformat(), _env_file=None)
    assert not registry.is_complete(settings.model_dir)
    return settings, ensure_trained(settings)


def test_ensure_trained_trains_everything_on_a_fresh_machine(ensured):
    settings, model_dir = ensured
    assert model_dir == Path(settings.model_dir)
    assert registry.is_complete(model_dir)
    assert not list(model_dir.glob("*.tmp"))
    caddie = Caddie.load(model_dir)
    assert caddie.as_of == SIM_END
    assert len(caddie.customers()) <= 60
    for card in caddie.model_cards():  # the first start skips the evaluation: the nightly refresh adds it
        assert not card.metrics and not card.baselines, card.task
        assert card.data_end == SIM_END


def test_the_shipped_models_are_trained_and_served(ensured):
    # propensity: the logistic regression and the gradient boosting stacked (ml.evaluation.propensity.shipped_model);
    # recommend: the model of ml.evaluation.recommend.SHIPPED (the best on the validation window)
    from ml.evaluation.recommend import SHIPPED
    from ml.models.propensity_stacked import StackedPropensity

    _, model_dir = ensured
    caddie = Caddie.load(model_dir)
    models = {card.task: card.model for card in caddie.model_cards()}
    assert models["propensity"] == StackedPropensity.display_name and models["recommend"] == SHIPPED.display_name
    customer = caddie.customers()[0]
    product = caddie.recommend(customer, 1).items[0].product
    answer = caddie.predict(customer, product.product_id)
    assert 0.0 < answer.probability < 1.0 and answer.model == StackedPropensity.display_name
    assert type(registry.load("propensity", modelsets.resolve(model_dir).path)) is StackedPropensity


def test_ensure_trained_does_not_retrain_complete_models(ensured, monkeypatch):
    settings, model_dir = ensured
    before = _model_files(model_dir)

    def fail(*args, **kwargs):
        raise AssertionError("train_all called although every model is on disk")

    monkeypatch.setattr(ml.train, "train_all", fail)
    assert ensure_trained(settings) == model_dir
    assert _model_files(model_dir) == before


def test_ensure_trained_retrains_when_a_file_is_missing(ensured, monkeypatch, tmp_path):
    settings, model_dir = ensured
    partial = tmp_path / "partial"
    partial.mkdir()
    for path in modelsets.resolve(model_dir).path.iterdir():  # the served set, copied flat, one file missing
        if path.name != "recommend.json":
            (partial / path.name).write_bytes(path.read_bytes())
    calls: list[MLSettings] = []
    monkeypatch.setattr(ml.train, "train_all", lambda s, **kw: calls.append(s))
    partial_settings = settings.model_copy(update={"model_dir": partial})
    assert ensure_trained(partial_settings) == partial
    assert calls == [partial_settings]


def test_training_imports_the_dataset_into_the_database(ensured):
    settings, _ = ensured
    stored = load_dataset_from_db(settings.database_url)
    expected = load_dataset(settings)  # the simulator is deterministic for a given seed and end
    assert stored.name == expected.name
    assert (stored.start, stored.end) == (expected.start, SIM_END)
    assert len(stored.transactions) == len(expected.transactions)
    assert set(stored.transactions["customer_id"]) == set(expected.transactions["customer_id"])
    assert stored.transactions["quantity"].sum() == pytest.approx(expected.transactions["quantity"].sum())
    assert sorted(stored.products["product_id"]) == sorted(expected.products["product_id"])


# ---------------------------------------------------------------------------- CLI
@pytest.fixture
def cli_env(tmp_path: Path, monkeypatch) -> Path:
    """Run the CLI from an empty folder (no .env), models and database in tmp_path."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("MODEL_DIR", str(tmp_path / "models"))
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'cli.db'}")
    return tmp_path


def _one_line_error(err: str) -> str:
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, err
    assert "Traceback" not in err
    assert lines[0].startswith("error: ")
    return lines[0]


def test_main_with_a_missing_data_file_exits_2_with_one_line(cli_env: Path, capsys):
    missing = cli_env / "nope.csv"
    assert main(["--data", str(missing)]) == 2
    out, err = capsys.readouterr()
    assert "nope.csv" in _one_line_error(err)
    assert "trained on" not in out
    assert not (cli_env / "models").exists()


def test_main_with_a_bad_row_names_the_row(cli_env: Path, capsys):
    data = cli_env / "ventes.csv"
    data.write_text("Client;EAN;Date;Qte;Prix\n1;A;2024-06-01;2;1.5\n2;B;2024-06-02;-3;1.5\n", encoding="utf-8")
    columns = "customer_id=Client,product_id=EAN,timestamp=Date,quantity=Qte,price=Prix"
    assert main(["--data", str(data), "--columns", columns]) == 2
    line = _one_line_error(capsys.readouterr().err)
    assert "row 2" in line and "Qte" in line


def test_main_with_an_unknown_mapped_column_exits_2(cli_env: Path, capsys):
    data = cli_env / "ventes.csv"
    data.write_text("a,b\n1,2\n", encoding="utf-8")
    assert main(["--data", str(data), "--columns", "colour=a"]) == 2
    assert "colour" in _one_line_error(capsys.readouterr().err)


def test_main_trains_the_simulator_and_reports(cli_env: Path, monkeypatch, capsys):
    monkeypatch.setenv("SIMULATOR_CUSTOMERS", "30")
    monkeypatch.setenv("SIMULATOR_DAYS", "120")
    monkeypatch.setenv("SIMULATOR_END", SIM_END.isoformat())
    model_dir = cli_env / "elsewhere"
    assert main(["--data", "simulator", "--skip-eval", "--model-dir", str(model_dir)]) == 0
    out = capsys.readouterr().out
    assert "trained on" in out and str(model_dir) in out
    for step in ("import", *registry.TASKS):
        assert step in out
    assert registry.is_complete(model_dir)
    assert not (cli_env / "models").exists()  # --model-dir wins over MODEL_DIR
    for task in registry.TASKS:
        meta = registry.load_metadata(task, modelsets.resolve(model_dir).path)
        assert meta.evaluation == {}  # --skip-eval
        assert meta.data_end == SIM_END.isoformat()
    assert load_dataset_from_db(f"sqlite:///{cli_env / 'cli.db'}").end == SIM_END


# ---------------------------------------------------------------------------- real data
FRANCE_FILE = "online_retail_france.csv"
FRANCE_COLUMNS = ("customer_id=CustomerID,product_id=StockCode,timestamp=InvoiceDate,quantity=Quantity,"
                  "price=UnitPrice,name=Description,basket_id=InvoiceNo,store_id=Country")


def _france_raw(shared_data: Path) -> pd.DataFrame:
    return pd.read_csv(shared_data / FRANCE_FILE, index_col=0, dtype=str, keep_default_na=False)


def _france_cleaned(raw: pd.DataFrame) -> pd.DataFrame:
    """What a user does after reading the error: drop cancellations, free lines and anonymous lines
    (and the exact duplicate lines, which the import would drop: DUPLICATE_ROWS=drop)."""
    quantity, price = pd.to_numeric(raw["Quantity"]), pd.to_numeric(raw["UnitPrice"])
    return raw[(quantity > 0) & (price > 0) & raw["CustomerID"].str.strip().ne("")].drop_duplicates()


@pytest.mark.realdata
def test_raw_france_file_is_rejected_at_the_first_bad_row(shared_data: Path):
    raw = _france_raw(shared_data)
    quantity, price = pd.to_numeric(raw["Quantity"]), pd.to_numeric(raw["UnitPrice"])
    # an empty CustomerID is an anonymous ticket (accepted); cancellations and negative prices are not
    checks = {"Quantity": quantity <= 0, "UnitPrice": price < 0}
    bad = pd.DataFrame(checks).reset_index(drop=True)
    first = int(bad.any(axis=1).to_numpy().nonzero()[0][0])
    column = next(c for c in checks if bad[c].iat[first])
    with pytest.raises(DataValidationError) as info:
        read_transactions(shared_data / FRANCE_FILE, FRANCE_COLUMNS)
    assert info.value.row == first + 1  # 1-based data row, as a spreadsheet shows it (header excluded)
    assert info.value.column == column
    assert f"row {first + 1}" in str(info.value) and repr(column) in str(info.value)
    assert info.value.n_bad_rows >= int(bad.any(axis=1).sum())


@pytest.mark.realdata
def test_cleaned_france_file_keeps_its_month_first_dates(shared_data: Path, tmp_path: Path):
    cleaned = _france_cleaned(_france_raw(shared_data))
    cleaned.to_csv(tmp_path / "france.csv", index=False)
    dataset = read_transactions(tmp_path / "france.csv", FRANCE_COLUMNS)
    expected = pd.to_datetime(cleaned["InvoiceDate"], format="%m/%d/%Y %H:%M")  # '12/1/2010 8:45' is 1 December
    assert (dataset.start, dataset.end) == (expected.min().date(), expected.max().date())
    assert dataset.transactions["timestamp"].tolist() == expected.tolist()


@pytest.mark.realdata
def test_all_models_train_and_answer_on_the_cleaned_france_file(shared_data: Path, tmp_path: Path):
    cleaned = _france_cleaned(_france_raw(shared_data))  # dates kept as in the file: month-first
    path = tmp_path / "france.csv"
    cleaned.to_csv(path, index=False)
    settings = MLSettings(data_source=str(path), data_columns=FRANCE_COLUMNS, model_dir=tmp_path / "models",
                          database_url=f"sqlite:///{tmp_path / 'db.sqlite'}", _env_file=None)
    report = train_all(settings, evaluate=False)
    assert report.evaluation == {}
    assert registry.is_complete(tmp_path / "models")
    assert len(load_dataset_from_db(settings.database_url).transactions) == len(cleaned)

    caddie = Caddie.load(tmp_path / "models")
    timestamps = pd.to_datetime(cleaned["InvoiceDate"], format="%m/%d/%Y %H:%M")
    assert caddie.as_of == timestamps.max().date()
    customers = {c.removesuffix(".0") for c in cleaned["CustomerID"]}
    assert set(caddie.customers()) == customers

    # forecast the product sold on the most days of the last 90, by its stock code
    recent = cleaned[timestamps >= timestamps.max().normalize() - pd.Timedelta(days=89)]
    days_sold = recent.groupby("StockCode")["InvoiceDate"].agg(lambda s: s.str.split().str[0].nunique())
    stock = str(days_sold.idxmax())
    forecast = caddie.forecast(stock)
    assert forecast.product.product_id == stock
    assert forecast.product.name in set(cleaned.loc[cleaned["StockCode"] == stock, "Description"].str.strip())
    assert len(forecast.points) == 1 and forecast.points[0].mean >= 0
    assert forecast.history[-1].day == caddie.as_of
    assert caddie.forecast(forecast.product.name.lower()).product.name == forecast.product.name

    first_customer = cleaned["CustomerID"].iloc[0]  # as written in the file, e.g. "12583.0"
    recommendation = caddie.recommend(first_customer, 5)
    assert recommendation.customer_id == first_customer.removesuffix(".0")
    assert len({item.product.product_id for item in recommendation.items}) == 5
    assert {item.product.product_id for item in recommendation.items} <= set(cleaned["StockCode"])

    propensity = caddie.predict(first_customer, stock)
    assert 0.0 <= propensity.probability <= 1.0
    assert propensity.product.product_id == stock

    target = caddie.target(stock, 5)
    assert len(target.customers) == 5
    assert {c.customer_id for c in target.customers} <= customers
