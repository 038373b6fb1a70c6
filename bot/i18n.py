"""Message catalogue (French by default, English available) and locale-aware formatting.

Every sentence the bot shows goes through :func:`t`; numbers, dates and
percentages through the ``fmt_*`` helpers. An unknown language falls back to
French, an unknown key raises ``KeyError`` (a bug, caught by the tests).
"""

from __future__ import annotations

import math
import re
from datetime import date

from bot import i18n_insights, i18n_ops, i18n_stores

DEFAULT_LANG = "fr"

_FR: dict[str, str] = {
    # shared
    "common.context": "Données jusqu'au {as_of} · modèle {model}",
    "common.more": "… et {n} de plus",
    # forecast
    "forecast.header": "Prévision : {product}",
    "forecast.day": "*{day}* : *{quantity}* (intervalle à {level} % : {lower} – {upper})",
    "forecast.range": "Du {start} au {end} : *{quantity}* au total",
    "units.expected.below_one": "moins d'une unité attendue ({n} en moyenne)",
    "units.expected.almost_none": "moins d'une unité attendue",
    "units.expected.one": "{n} unité attendue",
    "units.expected.other": "{n} unités attendues",
    "forecast.table_title": "*Détail jour par jour*",
    "forecast.col.day": "Jour",
    "forecast.col.mean": "Prévision",
    "forecast.col.interval": "Intervalle {level} %",
    "chart.title": "Prévision de la demande – {product}",
    "chart.history": "Ventes observées",
    "chart.forecast": "Prévision",
    "chart.interval": "Intervalle à {level} %",
    "chart.as_of": "Dernières données ({as_of})",
    "chart.ylabel": "Unités vendues par jour",
    # recommend
    "recommend.header": "Suggestions pour le client {customer}",
    "recommend.intro": "Les {n} produits à proposer au client {customer} :",
    "recommend.item": "{rank}. *{product}* — {reason}",
    "recommend.empty": "Aucune suggestion pour le client {customer} pour le moment.",
    "reason.times.one": "acheté une fois",
    "reason.times.other": "acheté {times} fois",
    "reason.last.zero": "la dernière fois le {day}",
    "reason.last.one": "la dernière fois le {day}",
    "reason.last.other": "la dernière fois il y a {n} jours",
    "reason.also_bought": "souvent acheté avec {anchor}",
    "reason.popular": "populaire : {share} des clients",
    "reason.unknown": "suggéré par le modèle",
    # predict
    "predict.header": "Client {customer} · {product}",
    "predict.header_profile": "Profil simulé · {product}",
    "predict.probability": "Probabilité d'acheter *{product}* dans les {horizon} prochains jours : *{probability}*",
    "predict.compare.higher": "C'est {ratio} fois la moyenne des clients ({base}).",
    "predict.compare.lower": "C'est moins que la moyenne des clients ({base}).",
    "predict.compare.same": "C'est proche de la moyenne des clients ({base}).",
    "predict.compare.no_base": "Presque aucun client n'achète ce produit sur une telle période.",
    "predict.drivers": "Ce qui fait monter la probabilité : {drivers}.",
    "driver.product_frequency": "achète souvent ce produit",
    "driver.product_recency": "le moment habituel de racheter ce produit approche",
    "driver.product_cycle": "rythme régulier de rachat du produit",
    "driver.visit_frequency": "vient souvent au magasin",
    "driver.visit_recency": "est venu récemment",
    "driver.basket_value": "montant du panier moyen",
    "driver.assortment": "variété et ancienneté des achats",
    # target
    "target.header": "Clients à cibler · {product}",
    "target.intro": "Les {n} clients les plus susceptibles d'acheter *{product}* dans les {horizon} prochains jours :",
    "target.item": "{rank}. Client {customer} — {probability}",
    "target.empty": "Aucun client à cibler pour *{product}* pour le moment.",
    # help and usage
    "help.title": "caddie — aide",
    "help.intro": "Je réponds aux questions du magasin à partir des ventes passées.",
    "help.forecast": "*{usage}* — prévision de la demande d'un produit pour un jour ou une période.",
    "help.forecast.examples": "`/forecast yaourt nature demain` · `/forecast baguette 7j` · `/forecast lait samedi` · "
                              "`/forecast yaourt ce week-end` · `/forecast lait dans 3 jours`",
    "help.recommend": "*{usage}* — produits à proposer à un client (5 par défaut, 20 au plus).",
    "help.recommend.examples": "`/recommend client 42` · `/recommend 42 10`",
    "help.predict": "*{usage}* — probabilité qu'un client achète un produit prochainement.",
    "help.predict.examples": "`/predict client 42 lait` · `/predict profil` (formulaire « et si ? »)",
    "help.target": "*{usage}* — clients les plus susceptibles d'acheter un produit (10 par défaut, 50 au plus).",
    "help.target.examples": "`/target baguette` · `/target yaourt nature 20`",
    "help.examples": "Exemples : {examples}",
    "help.dates": "Jours : demain, après-demain, samedi, lundi prochain, dans 3 jours, le 14 juillet, 1er août, "
                  "01/07, 2024-07-01. Plusieurs jours : ce week-end, cette semaine, la semaine prochaine. "
                  "Périodes à partir du premier jour prévu : 7j, 7 jours, sur 7 jours, pendant une semaine, +7.",
    "help.more": "Tapez `/forecast aide` (ou une autre commande suivie de `aide`) pour le détail d'une commande.",
    "usage.forecast": "/forecast <produit> [date | demain | ce week-end | 7j]",
    "usage.recommend": "/recommend client <numéro> [nombre]",
    "usage.predict": "/predict client <numéro> <produit>",
    "usage.target": "/target <produit> [nombre]",
    # errors
    "error.usage_hint": "Syntaxe : `{usage}` — tapez `{command} aide` pour des exemples.",
    "problem.missing_product": "Il manque le nom du produit.",
    "problem.missing_customer": "Il manque le numéro du client.",
    "problem.bad_n": "« {value} » n'est pas un nombre entier.",
    "problem.n_out_of_range": "Le nombre de résultats doit être entre {min} et {max} (reçu : {value}).",
    "problem.bad_horizon": "La période doit être d'au moins un jour (reçu : « {value} »).",
    "problem.too_many_args": "Je ne comprends pas « {extra} ».",
    "problem.unknown_command": "Je ne connais pas la commande « {name} ».",
    "problem.not_a_customer": "« {value} » n'est pas un numéro de client : il s'écrit en chiffres, "
                              "par exemple `client 42`.",
    "problem.no_date": "{command} ne prend pas de date : retirez « {value} ».",
    "problem.too_long": "Le texte est trop long : {limit} mots au plus.",
    "error.bad_date": "Je ne comprends pas la date « {text} ».",
    "date_hint.format": "Formats acceptés : demain, samedi, dans 3 jours, le 14 juillet, 01/07, 2024-07-01, "
                        "ce week-end, la semaine prochaine, 7j.",
    "date_hint.no_such_day": "Ce jour n'existe pas dans le calendrier.",
    "date_hint.trailing": "J'ai compris la date « {date} », mais pas « {extra} » : mettez la date en dernier.",
    "date_hint.two_dates": "Donnez une seule date ou période, par exemple « demain » ou « 7j ».",
    "date_hint.wrong_weekday": "Ce jour-là est un autre jour de la semaine : {day}.",
    "date_hint.too_far": "C'est bien trop loin : je prévois les prochains jours seulement.",
    "error.unknown_product": "Je ne trouve pas le produit « {query} ».",
    "error.suggestions": "Vouliez-vous dire : {suggestions} ?",
    "error.no_suggestions": "Vérifiez l'orthographe ou essayez un nom plus court (par exemple « yaourt »).",
    "error.unknown_customer": "Je ne trouve pas le client « {customer} » dans l'historique des achats.",
    "error.customer_suggestions": "Numéros proches : {suggestions}.",
    "error.customer_range": "Les numéros de client connus vont de {low} à {high}.",
    "error.date_past": "Le {requested} est déjà passé : je peux prévoir du {earliest} au {latest}.",
    "error.date_out_of_range": "Pas de prévision possible pour le {requested} : je peux répondre du {earliest} "
                               "au {latest}.",
    "error.not_enough_history": "« {product} » se vend trop rarement ces derniers temps pour une prévision "
                                "journalière fiable. Essayez un produit plus courant ou `/target {product}`.",
    "error.model_not_ready": "Le modèle « {model} » n'est pas encore prêt. Un administrateur doit lancer "
                             "l'entraînement (`make train`).",
    "error.forecasts_unavailable": "Les prévisions ne sont pas lisibles pour le moment (la base de données ne "
                                   "répond pas). Réessayez dans quelques minutes.",
    "error.data": "Les données de ventes ne sont pas utilisables pour le moment. Référence pour l'équipe "
                  "technique : *{error_id}*.",
    "error.internal": "Désolé, un problème inattendu est survenu. Si cela se reproduit, transmettez la référence "
                      "*{error_id}* à l'équipe technique.",
    "error.form": "Certains champs du formulaire sont à corriger.",
    # access to customer data (/recommend, /predict, /target)
    "access.elsewhere": "Les informations sur les clients ne sont données que dans {channels}. Posez votre "
                        "question là-bas.",
    "access.groups": "Les informations sur les clients sont réservées aux membres de {groups}. Demandez à votre "
                     "responsable de vous y ajouter.",
    "access.elsewhere_or_groups": "Les informations sur les clients ne sont données que dans {channels}, ou aux "
                                  "membres de {groups}. Posez votre question là-bas.",
    "access.not_enabled": "Les informations sur les clients ne sont pas activées dans cet espace de travail. "
                          "Adressez-vous à votre responsable.",
    "access.wrong_team": "Les informations sur les clients ne sont pas disponibles dans cet espace de travail.",
    "access.audit_down": "Les informations sur les clients sont suspendues un moment : la consultation ne peut "
                         "pas être enregistrée. Réessayez dans quelques minutes.",
    # form (profile modal) field errors
    "form.required": "Ce champ est obligatoire.",
    "form.not_a_number": "Entrez un nombre, par exemple 12,5.",
    "form.not_an_integer": "Entrez un nombre entier de jours ou de fois.",
    "form.negative": "La valeur ne peut pas être négative.",
    "form.too_large": "Cette valeur est trop grande.",
    "form.after_last_visit": "Le produit ne peut pas avoir été acheté après la dernière visite.",
    "form.product_required": "Choisissez un produit.",
    # modals
    "modal.title": "Probabilité d'achat",
    "modal.result_title": "Résultat",
    "modal.submit": "Calculer",
    "modal.cancel": "Annuler",
    "modal.close": "Fermer",
    "modal.intro": "Décrivez un client type : j'estime sa probabilité d'acheter le produit choisi.",
    "modal.product": "Produit",
    "modal.product_placeholder": "Choisir un produit",
    "modal.visits_per_month": "Visites par mois",
    "modal.visits_per_month.hint": "Nombre moyen de passages en magasin par mois, par exemple 6 ou 2,5.",
    "modal.days_since_last_visit": "Jours depuis la dernière visite",
    "modal.days_since_last_visit.hint": "0 s'il est venu aujourd'hui.",
    "modal.times_bought_product": "Achats du produit sur 90 jours",
    "modal.times_bought_product.hint": "Nombre de fois où il a acheté ce produit ces 90 derniers jours.",
    "modal.days_since_last_bought_product": "Jours depuis le dernier achat du produit",
    "modal.days_since_last_bought_product.hint": "Laissez vide s'il ne l'a jamais acheté.",
    "modal.avg_basket_value": "Panier moyen (€)",
    "modal.avg_basket_value.hint": "Montant moyen d'un passage en caisse, par exemple 45,80.",
    "profile.opening": "J'ouvre le formulaire « et si ? » pour estimer la probabilité d'achat d'un client type.",
    # logistics post
    "logistics.header": "Prévision de la demande — {day}",
    "logistics.intro": "Quantités attendues pour les {n} produits les plus vendus (intervalle à {level} %) :",
    "logistics.empty": "Aucune prévision disponible pour {day}.",
    "logistics.db_read_only": ":warning: La prévision du {day} n'est pas encore publiée : la base de données "
                              "(DATABASE_URL) est en lecture seule, je ne peux pas garantir un envoi unique. "
                              "Prévenez l'équipe technique ; nouvel essai dans {minutes} min.",
    "logistics.db_down": ":warning: La prévision du {day} n'a pas pu être publiée : la base de données "
                         "(DATABASE_URL) ne répond pas. Prévenez l'équipe technique.",
    "logistics.stale": "Pas de prévision pour {day} : les données de ventes s'arrêtent au {as_of}. "
                       "Mettez les données à jour et relancez l'entraînement (`make train`).",
    "logistics.col.product": "Produit",
    "chart.failed": "Je n'ai pas pu publier le graphique ({error}).",
    "chart.not_in_channel": "Je n'ai pas pu publier le graphique : invitez-moi dans ce canal (`/invite @caddie`).",
    "console.welcome": "caddie (console locale) - tapez « help » pour l'aide, « quit » pour sortir.",
    "console.help": "Commandes :\n"
                    "  /forecast <produit> [date]        prévision de demande (ex. /forecast yaourt demain)\n"
                    "  /recommend client <id>            recommandations pour un client\n"
                    "  /predict client <id> <produit>    probabilité d'achat\n"
                    "  /target <produit> [n]             clients à cibler pour un produit\n"
                    "  <commande> aide                   aide détaillée d'une commande\n"
                    "  quit                              quitter",
    "console.unknown": "Commande inconnue : {command}. Tapez « help ».",
    "console.chart": "Graphique enregistré : {path}",
    "console.no_modal": "Le formulaire « et si ? » n'existe que dans Slack (/predict profil ou le raccourci "
                        "« Simuler un client »).",
}

_EN: dict[str, str] = {
    "common.context": "Data up to {as_of} · model {model}",
    "common.more": "… and {n} more",
    "forecast.header": "Forecast: {product}",
    "forecast.day": "*{day}*: *{quantity}* ({level}% interval: {lower} – {upper})",
    "forecast.range": "From {start} to {end}: *{quantity}* in total",
    "units.expected.below_one": "less than one unit expected ({n} on average)",
    "units.expected.almost_none": "less than one unit expected",
    "units.expected.one": "{n} unit expected",
    "units.expected.other": "{n} units expected",
    "forecast.table_title": "*Day by day*",
    "forecast.col.day": "Day",
    "forecast.col.mean": "Forecast",
    "forecast.col.interval": "{level}% interval",
    "chart.title": "Demand forecast – {product}",
    "chart.history": "Observed sales",
    "chart.forecast": "Forecast",
    "chart.interval": "{level}% interval",
    "chart.as_of": "Latest data ({as_of})",
    "chart.ylabel": "Units sold per day",
    "recommend.header": "Suggestions for customer {customer}",
    "recommend.intro": "The {n} products to offer customer {customer}:",
    "recommend.item": "{rank}. *{product}* — {reason}",
    "recommend.empty": "No suggestion for customer {customer} yet.",
    "reason.times.one": "bought once",
    "reason.times.other": "bought {times} times",
    "reason.last.zero": "most recently on {day}",
    "reason.last.one": "most recently on {day}",
    "reason.last.other": "last time {n} days ago",
    "reason.also_bought": "often bought with {anchor}",
    "reason.popular": "popular: {share} of customers",
    "reason.unknown": "suggested by the model",
    "predict.header": "Customer {customer} · {product}",
    "predict.header_profile": "What-if profile · {product}",
    "predict.probability": "Probability of buying *{product}* within the next {horizon} days: *{probability}*",
    "predict.compare.higher": "That is {ratio} times the average customer ({base}).",
    "predict.compare.lower": "That is below the average customer ({base}).",
    "predict.compare.same": "That is close to the average customer ({base}).",
    "predict.compare.no_base": "Hardly any customer buys this product over such a period.",
    "predict.drivers": "What raises the probability: {drivers}.",
    "driver.product_frequency": "buys this product often",
    "driver.product_recency": "the usual time to buy this product again is near",
    "driver.product_cycle": "steady rhythm of buying the product",
    "driver.visit_frequency": "visits the store often",
    "driver.visit_recency": "visited recently",
    "driver.basket_value": "average basket amount",
    "driver.assortment": "range and length of purchase history",
    "target.header": "Customers to target · {product}",
    "target.intro": "The {n} customers most likely to buy *{product}* within the next {horizon} days:",
    "target.item": "{rank}. Customer {customer} — {probability}",
    "target.empty": "No customer to target for *{product}* yet.",
    "help.title": "caddie — help",
    "help.intro": "I answer the store's questions from past sales.",
    "help.forecast": "*{usage}* — demand forecast of a product for a day or a period.",
    "help.forecast.examples": "`/forecast plain yogurt tomorrow` · `/forecast baguette 7d` · "
                              "`/forecast milk saturday` · `/forecast yogurt this weekend` · "
                              "`/forecast milk in 3 days`",
    "help.recommend": "*{usage}* — products to offer a customer (5 by default, at most 20).",
    "help.recommend.examples": "`/recommend customer 42` · `/recommend 42 10`",
    "help.predict": "*{usage}* — probability that a customer buys a product soon.",
    "help.predict.examples": "`/predict customer 42 milk` · `/predict profile` (what-if form)",
    "help.target": "*{usage}* — customers most likely to buy a product (10 by default, at most 50).",
    "help.target.examples": "`/target baguette` · `/target plain yogurt 20`",
    "help.examples": "Examples: {examples}",
    "help.dates": "Days: tomorrow, Saturday, next Monday, in 3 days, July 14, 1 August, 01/07 (day/month), "
                  "2024-07-01. Several days: this weekend, this week, next week. "
                  "Periods from the first forecast day: 7d, 7 days, for 7 days, +7.",
    "help.more": "Type `/forecast help` (or another command followed by `help`) for details on a command.",
    "usage.forecast": "/forecast <product> [date | tomorrow | this weekend | 7d]",
    "usage.recommend": "/recommend customer <id> [count]",
    "usage.predict": "/predict customer <id> <product>",
    "usage.target": "/target <product> [count]",
    "error.usage_hint": "Usage: `{usage}` — type `{command} help` for examples.",
    "problem.missing_product": "The product name is missing.",
    "problem.missing_customer": "The customer id is missing.",
    "problem.bad_n": "\"{value}\" is not a whole number.",
    "problem.n_out_of_range": "The number of results must be between {min} and {max} (got {value}).",
    "problem.bad_horizon": "The period must be at least one day (got \"{value}\").",
    "problem.too_many_args": "I don't understand \"{extra}\".",
    "problem.unknown_command": "I don't know the command \"{name}\".",
    "problem.not_a_customer": "\"{value}\" is not a customer number: it is written in digits, for example "
                              "`customer 42`.",
    "problem.no_date": "{command} takes no date: remove \"{value}\".",
    "problem.too_long": "The text is too long: {limit} words at most.",
    "error.bad_date": "I don't understand the date \"{text}\".",
    "date_hint.format": "Accepted formats: tomorrow, Saturday, in 3 days, July 14, 01/07 (day/month), 2024-07-01, "
                        "this weekend, next week, 7d.",
    "date_hint.no_such_day": "That day does not exist in the calendar.",
    "date_hint.trailing": "I understood the date \"{date}\" but not \"{extra}\": put the date last.",
    "date_hint.two_dates": "Give one date or period only, for example \"tomorrow\" or \"7d\".",
    "date_hint.wrong_weekday": "That day falls on another weekday: {day}.",
    "date_hint.too_far": "That is far too far ahead: I forecast the next few days only.",
    "error.unknown_product": "I can't find the product \"{query}\".",
    "error.suggestions": "Did you mean: {suggestions}?",
    "error.no_suggestions": "Check the spelling or try a shorter name (for example \"yogurt\").",
    "error.unknown_customer": "I can't find customer \"{customer}\" in the purchase history.",
    "error.customer_suggestions": "Close ids: {suggestions}.",
    "error.customer_range": "Known customer numbers go from {low} to {high}.",
    "error.date_past": "{requested} is already past: I can forecast from {earliest} to {latest}.",
    "error.date_out_of_range": "No forecast possible for {requested}: I can answer from {earliest} to {latest}.",
    "error.not_enough_history": "\"{product}\" has sold too rarely lately for a reliable daily forecast. "
                                "Try a more common product or `/target {product}`.",
    "error.model_not_ready": "The \"{model}\" model is not ready yet. An administrator must run the training "
                             "(`make train`).",
    "error.forecasts_unavailable": "The forecasts cannot be read right now (the database does not answer). "
                                   "Try again in a few minutes.",
    "error.data": "The sales data cannot be used right now. Reference for the technical team: *{error_id}*.",
    "error.internal": "Sorry, something unexpected went wrong. If it happens again, give the reference "
                      "*{error_id}* to the technical team.",
    "error.form": "Some fields of the form need fixing.",
    "access.elsewhere": "Customer information is only given in {channels}. Please ask there.",
    "access.groups": "Customer information is reserved for members of {groups}. Ask your manager to add you.",
    "access.elsewhere_or_groups": "Customer information is only given in {channels}, or to members of {groups}. "
                                  "Please ask there.",
    "access.not_enabled": "Customer information is not enabled in this workspace. Please ask your manager.",
    "access.wrong_team": "Customer information is not available in this workspace.",
    "access.audit_down": "Customer information is paused for a moment: the request cannot be recorded. "
                         "Try again in a few minutes.",
    "form.required": "This field is required.",
    "form.not_a_number": "Enter a number, for example 12.5.",
    "form.not_an_integer": "Enter a whole number of days or times.",
    "form.negative": "The value cannot be negative.",
    "form.too_large": "This value is too large.",
    "form.after_last_visit": "The product cannot have been bought after the last visit.",
    "form.product_required": "Choose a product.",
    "modal.title": "Purchase probability",
    "modal.result_title": "Result",
    "modal.submit": "Compute",
    "modal.cancel": "Cancel",
    "modal.close": "Close",
    "modal.intro": "Describe a typical customer: I estimate how likely they are to buy the chosen product.",
    "modal.product": "Product",
    "modal.product_placeholder": "Choose a product",
    "modal.visits_per_month": "Visits per month",
    "modal.visits_per_month.hint": "Average number of store visits per month, for example 6 or 2.5.",
    "modal.days_since_last_visit": "Days since the last visit",
    "modal.days_since_last_visit.hint": "0 if they came today.",
    "modal.times_bought_product": "Purchases of the product in 90 days",
    "modal.times_bought_product.hint": "How many times they bought this product in the last 90 days.",
    "modal.days_since_last_bought_product": "Days since the product was last bought",
    "modal.days_since_last_bought_product.hint": "Leave empty if they never bought it.",
    "modal.avg_basket_value": "Average basket (€)",
    "modal.avg_basket_value.hint": "Average amount spent per visit, for example 45.80.",
    "profile.opening": "Opening the what-if form to estimate how likely a typical customer is to buy a product.",
    "logistics.header": "Demand forecast — {day}",
    "logistics.intro": "Expected quantities for the {n} best-selling products ({level}% interval):",
    "logistics.empty": "No forecast available for {day}.",
    "logistics.db_read_only": ":warning: The forecast for {day} is not posted yet: the database (DATABASE_URL) is "
                              "read-only, so I cannot make sure it is sent once. Please tell the technical team; "
                              "next try in {minutes} min.",
    "logistics.db_down": ":warning: The forecast for {day} could not be posted: the database (DATABASE_URL) does "
                         "not answer. Please tell the technical team.",
    "logistics.stale": "No forecast for {day}: the sales data ends on {as_of}. "
                       "Update the data and retrain (`make train`).",
    "logistics.col.product": "Product",
    "chart.failed": "I could not post the chart ({error}).",
    "chart.not_in_channel": "I could not post the chart: invite me to this channel (`/invite @caddie`).",
    "console.welcome": "caddie (local console) - type 'help' for help, 'quit' to leave.",
    "console.help": "Commands:\n"
                    "  /forecast <product> [date]        demand forecast (e.g. /forecast yogurt tomorrow)\n"
                    "  /recommend client <id>            recommendations for a customer\n"
                    "  /predict client <id> <product>    purchase probability\n"
                    "  /target <product> [n]             customers to target for a product\n"
                    "  <command> help                    detailed help of a command\n"
                    "  quit                              leave",
    "console.unknown": "Unknown command: {command}. Type 'help'.",
    "console.chart": "Chart saved: {path}",
    "console.no_modal": "The what-if form only exists in Slack (/predict profil or the \"Simuler un client\" "
                        "shortcut).",
}

_FR.update(i18n_stores.FR)  # stores, channel links and orders
_EN.update(i18n_stores.EN)
_FR.update(i18n_ops.FR)  # App Home in plain words, live accuracy, alerts
_EN.update(i18n_ops.EN)
_FR.update(i18n_insights.FR)  # A/B tests, customer card, feedback buttons
_EN.update(i18n_insights.EN)

NBSP = "\u00a0"  # before ":" and inside « »
NNBSP = "\u202f"  # narrow, before ";", "!", "?", "%" and between thousands


def french_spacing(text: str) -> str:
    """Non-breaking spaces where French typography wants them (outside `code`): ``"Dates : x ?"`` ->
    ``"Dates\u00a0: x\u202f?"``; ``"« x »"`` -> ``"«\u00a0x\u00a0»"``."""
    parts = text.split("`")
    for i in range(0, len(parts), 2):
        part = re.sub(r" ([:»])", NBSP + r"\1", parts[i])
        part = part.replace("« ", "«" + NBSP)
        parts[i] = re.sub(r" ([;!?%])", NNBSP + r"\1", part)
    return "`".join(parts)


_FR = {key: french_spacing(text) for key, text in _FR.items()}
CATALOGUES: dict[str, dict[str, str]] = {"fr": _FR, "en": _EN}
LANGUAGES: tuple[str, ...] = tuple(CATALOGUES)


def normalize_lang(lang: str | None) -> str:
    """``"fr"``, ``"en"``; ``"en-GB"`` -> ``"en"``; anything unknown -> French."""
    code = (lang or "").strip().lower().replace("_", "-").split("-")[0]
    return code if code in CATALOGUES else DEFAULT_LANG


def has(key: str, lang: str = DEFAULT_LANG) -> bool:
    return key in CATALOGUES[normalize_lang(lang)]


def t(key: str, lang: str = DEFAULT_LANG, **params: object) -> str:
    """The message ``key`` in ``lang`` with ``{placeholders}`` filled from ``params``."""
    template = CATALOGUES[normalize_lang(lang)][key]
    return template.format(**params) if params else template


def tn(key: str, count: int, lang: str = DEFAULT_LANG, **params: object) -> str:
    """Plural-aware :func:`t`: uses ``key.zero`` (if present), ``key.one`` or ``key.other``."""
    if count == 0 and has(f"{key}.zero", lang):
        suffix = "zero"
    elif count == 1 or (count == 0 and normalize_lang(lang) == "fr"):
        suffix = "one"
    else:
        suffix = "other"
    return t(f"{key}.{suffix}", lang, **params)


# --------------------------------------------------------------------------- formatting

_FR_DAYS = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")
_FR_MONTHS = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre",
              "octobre", "novembre", "décembre")
_EN_DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_EN_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
              "October", "November", "December")


def fmt_number(x: float, lang: str = DEFAULT_LANG, decimals: int = 1) -> str:
    """``1234.5`` -> ``"1 234,5"`` (fr) / ``"1,234.5"`` (en). Trailing zero decimals are dropped."""
    if x is None or not math.isfinite(x):
        return "–"
    text = f"{x:,.{decimals}f}"
    if decimals > 0:
        text = text.rstrip("0").rstrip(".")
    if text in ("-0", ""):
        text = "0"
    if normalize_lang(lang) == "fr":
        text = text.replace(",", NNBSP).replace(".", ",")
    return text


def fmt_quantity(x: float, lang: str = DEFAULT_LANG) -> str:
    """A forecast quantity: one decimal below 100 units, none above."""
    return fmt_number(x, lang, 0 if abs(x) >= 100 else 1)


def fmt_expected(x: float, lang: str = DEFAULT_LANG) -> str:
    """An expected quantity with its unit, agreed: « 0,5 unité » and « 1,5 unité » (French singular below 2),
    « 12 unités »; below one unit, « moins d'une unité » (the mean in brackets when it shows)."""
    n = fmt_quantity(x, lang)
    if x is not None and math.isfinite(x) and 0 < x < 1 and n != "1":
        return t("units.expected.almost_none" if n == "0" else "units.expected.below_one", lang, n=n)
    if normalize_lang(lang) == "fr":
        singular = x is not None and math.isfinite(x) and abs(x) < 2 and n != "2"
    else:
        singular = n == "1"
    return t("units.expected.one" if singular else "units.expected.other", lang, n=n)


def fmt_percent(p: float, lang: str = DEFAULT_LANG, decimals: int = 0) -> str:
    """A share in 0..1 as a percentage: ``0.38`` -> ``"38 %"`` (fr) / ``"38%"`` (en); tiny shares -> ``"< 1 %"``."""
    if p is None or not math.isfinite(p):
        return "–"
    value = 100.0 * p
    sep = NNBSP if normalize_lang(lang) == "fr" else ""
    floor = 10.0 ** -decimals
    if 0 < value < floor:
        return f"< {fmt_number(floor, lang, decimals)}{sep}%"
    return f"{fmt_number(value, lang, decimals)}{sep}%"


def fmt_date(d: date, lang: str = DEFAULT_LANG, style: str = "long") -> str:
    """``style``: ``"long"`` (lundi 1 juillet 2024 / Monday 1 July 2024), ``"short"`` (01/07/2024 /
    2024-07-01), ``"day"`` (lun. 01/07 / Mon 07-01, for tables) or ``"tick"`` (01/07 / Jul 1, chart axes)."""
    fr = normalize_lang(lang) == "fr"
    if style == "tick":
        return f"{d.day:02d}/{d.month:02d}" if fr else f"{_EN_MONTHS[d.month - 1][:3]} {d.day}"
    if style == "short":
        return f"{d.day:02d}/{d.month:02d}/{d.year}" if fr else d.isoformat()
    if style == "day":
        if fr:
            return f"{_FR_DAYS[d.weekday()][:3]}. {d.day:02d}/{d.month:02d}"
        return f"{_EN_DAYS[d.weekday()][:3]} {d.month:02d}-{d.day:02d}"
    if style != "long":
        raise ValueError(f"unknown date style {style!r}")
    if fr:
        day = "1er" if d.day == 1 else str(d.day)
        return f"{_FR_DAYS[d.weekday()]} {day} {_FR_MONTHS[d.month - 1]} {d.year}"
    return f"{_EN_DAYS[d.weekday()]} {d.day} {_EN_MONTHS[d.month - 1]} {d.year}"


_CONJUNCTIONS = {"fr": {"and": "et", "or": "ou"}, "en": {"and": "and", "or": "or"}}


def join_list(items: list[str], lang: str = DEFAULT_LANG, conjunction: str = "or") -> str:
    """``["a", "b", "c"]`` -> ``"a, b ou c"`` (fr, ``"or"``) / ``"a, b and c"`` (en, ``"and"``)."""
    if not items:
        return ""
    if len(items) == 1:
        return items[0]
    word = _CONJUNCTIONS[normalize_lang(lang)][conjunction]
    return f"{', '.join(items[:-1])} {word} {items[-1]}"
