"""Messages of the App Home tab (in plain words for store teams), the live-accuracy line of the logistics post and
the alerts (French and English), merged into :mod:`bot.i18n`'s catalogue."""

from __future__ import annotations

FR: dict[str, str] = {
    # App Home
    "home.title": "caddie",
    "home.intro": "Prévisions des ventes, suggestions de produits et ciblage de clients, à partir des ventes du "
                  "magasin. Commandes : `/forecast`, `/recommend`, `/predict`, `/target` (ajoutez `aide`).",
    "home.models": "Ce que valent les prévisions et les suggestions",
    "home.no_models": "Aucun modèle entraîné pour le moment.",
    "home.task.forecast": "Prévision des ventes",
    "home.task.recommend": "Suggestions de produits",
    "home.task.propensity": "Probabilité d'achat",
    "home.updated": "Mis à jour le {trained_at}, avec les ventes jusqu'au {end}.",
    "home.live.yesterday": "Hier, les prévisions se sont trompées de *{error}* en moyenne (prévu {forecast}, "
                           "vendu {sold}).",
    "home.live.yesterday_none": "Les ventes d'hier ne sont pas encore arrivées : l'écart d'hier sera affiché "
                                "quand elles le seront.",
    "home.live.trend": "Écart moyen semaine par semaine, sur 4 semaines : {weeks} {spark}",
    "home.live.trend_week": "{error}",
    "home.live.direction.over": "En moyenne, les prévisions ont été un peu trop hautes ({bias} de trop).",
    "home.live.direction.under": "En moyenne, les prévisions ont été un peu trop basses ({bias} de moins que "
                                 "vendu).",
    "home.live.coverage": "La vente réelle est tombée dans la fourchette annoncée {share}.",
    "home.plain.forecast": "Lors du dernier test sur des ventes passées, les prévisions se sont trompées de "
                           "*{error}* en moyenne.",
    "home.plain.coverage": "La vente réelle tombait dans la fourchette annoncée {share}.",
    "home.plain.recommend": "Lors du dernier test, parmi les produits que les clients ont achetés ensuite, "
                            "*{share}* figurait dans leurs suggestions.",
    "home.plain.propensity": "Entre un client qui achète un produit et un client qui ne l'achète pas, caddie "
                             "donne la plus forte probabilité au bon client *{share}*.",
    "home.plain.better": "C'est mieux que la méthode simple de référence ({baseline}).",
    "home.plain.worse": "Attention : la méthode simple de référence fait aussi bien ou mieux ({baseline}).",
    "home.plain.technical": "Les chiffres techniques des modèles sont sur le tableau de bord (`/dashboard`).",
    "home.share.one_in": "1 sur {n}",
    "home.share.times_in_ten": "{n} fois sur 10",
    "home.forecasts": "Prévisions pour {day}",
    "home.no_forecasts": "Pas de prévision disponible pour le moment.",
    "home.forecast_item": "• *{product}* : {mean} (entre {lower} et {upper})",
    "home.data_until": "Ventes connues jusqu'au {as_of}",
    # logistics post: yesterday in one line
    "live.yesterday": ":bar_chart: Hier ({day}) : prévu {forecast}, vendu {sold} — écart de {error} en moyenne.",
    # alerts to logistics
    "alert.accuracy": ":rotating_light: Les prévisions se dégradent : sur les 7 derniers jours, elles se sont "
                      "trompées de {error} en moyenne (seuil {threshold}, réglage `ACCURACY_ALERT_WAPE`). "
                      "Vérifiez les données de ventes et prévenez l'équipe technique.",
    "alert.stale": ":rotating_light: Les ventes n'arrivent plus : les dernières données datent du {as_of} "
                   "({days} jours). Les prévisions vieillissent ; vérifiez l'envoi des ventes "
                   "(seuil `SALES_STALE_DAYS` = {limit} jours).",
}

EN: dict[str, str] = {
    "home.title": "caddie",
    "home.intro": "Sales forecasts, product suggestions and customer targeting from the store's sales. "
                  "Commands: `/forecast`, `/recommend`, `/predict`, `/target` (add `help`).",
    "home.models": "How good the forecasts and suggestions are",
    "home.no_models": "No trained model yet.",
    "home.task.forecast": "Sales forecast",
    "home.task.recommend": "Product suggestions",
    "home.task.propensity": "Purchase probability",
    "home.updated": "Updated on {trained_at}, with sales up to {end}.",
    "home.live.yesterday": "Yesterday, the forecasts were off by *{error}* on average (forecast {forecast}, "
                           "sold {sold}).",
    "home.live.yesterday_none": "Yesterday's sales have not arrived yet: yesterday's error will show once they do.",
    "home.live.trend": "Average error week by week, over 4 weeks: {weeks} {spark}",
    "home.live.trend_week": "{error}",
    "home.live.direction.over": "On average the forecasts were a little high ({bias} too many).",
    "home.live.direction.under": "On average the forecasts were a little low ({bias} fewer than sold).",
    "home.live.coverage": "Actual sales fell inside the announced range {share}.",
    "home.plain.forecast": "In the last test on past sales, the forecasts were off by *{error}* on average.",
    "home.plain.coverage": "Actual sales fell inside the announced range {share}.",
    "home.plain.recommend": "In the last test, of the products customers bought next, *{share}* was among their "
                            "suggestions.",
    "home.plain.propensity": "Between a customer who buys a product and one who does not, caddie gives the "
                             "higher probability to the right one *{share}*.",
    "home.plain.better": "That beats the simple reference method ({baseline}).",
    "home.plain.worse": "Beware: the simple reference method does as well or better ({baseline}).",
    "home.plain.technical": "The models' technical figures are on the dashboard (`/dashboard`).",
    "home.share.one_in": "1 in {n}",
    "home.share.times_in_ten": "{n} times in 10",
    "home.forecasts": "Forecasts for {day}",
    "home.no_forecasts": "No forecast available yet.",
    "home.forecast_item": "• *{product}*: {mean} (between {lower} and {upper})",
    "home.data_until": "Sales known up to {as_of}",
    "live.yesterday": ":bar_chart: Yesterday ({day}): forecast {forecast}, sold {sold} — off by {error} on average.",
    "alert.accuracy": ":rotating_light: The forecasts are getting worse: over the last 7 days they were off by "
                      "{error} on average (threshold {threshold}, setting `ACCURACY_ALERT_WAPE`). Check the sales "
                      "data and tell the technical team.",
    "alert.stale": ":rotating_light: Sales data has stopped arriving: the latest is from {as_of} ({days} days ago). "
                   "The forecasts are getting old; check the sales feed (threshold `SALES_STALE_DAYS` = {limit} "
                   "days).",
}
