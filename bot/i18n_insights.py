"""Messages of the A/B tests (/abtest), the customer card (/client) and the 👍/👎 buttons, merged into
:mod:`bot.i18n`'s catalogue."""

from __future__ import annotations

FR: dict[str, str] = {
    "usage.abtest": "/abtest [nom de l'expérience]",
    "usage.client": "/client <numéro>",
    "help.abtest": "*{usage}* — résultats des tests A/B des recommandations : conversion par bras, écart, "
                   "significativité, clients encore nécessaires.",
    "help.abtest.examples": "`/abtest` · `/abtest reco-2024`",
    "help.client": "*{usage}* — la fiche d'un client : visites, panier, rayons préférés, achats par mois "
                   "(réservé aux canaux et groupes autorisés, consultation tracée).",
    "help.client.examples": "`/client 42` · `/client n°42`",
    "problem.abtest_extra": "Je ne comprends pas « {extra} » : `/abtest` prend au plus un nom d'expérience.",
    "problem.client_extra": "Je ne comprends pas « {extra} » après le numéro du client.",
    "error.unknown_experiment": "Je ne connais pas l'expérience « {name} ».",
    "error.known_experiments": "Expériences en cours : {names}.",
    "error.no_experiments": "Aucune expérience n'est définie (réglage `EXPERIMENTS` ou table `experiments`).",
    "error.bad_experiment": "La définition d'une expérience est illisible : {detail}",
    # /abtest
    "abtest.header": "Test A/B « {name} »",
    "abtest.list_header": "Tests A/B",
    "abtest.list_item": "• *{name}* : {arms} · {customers} clients exposés",
    "abtest.list_more": "Détail : `/abtest <nom>`.",
    "abtest.none": "Aucune expérience en cours. Définissez-en une avec le réglage `EXPERIMENTS` "
                   "(ex. `reco:popular=50,model=50`) ou dans la table `experiments`.",
    "abtest.intro": "Conversion : achat d'un produit recommandé dans les {days} jours après la recommandation "
                    "(par client exposé).",
    "abtest.arm": "*{arm}*{control} · {share} du trafic\n{conversions} / {customers} clients ont acheté : *{rate}* "
                  "(IC 95 % {low} – {high}) · dépense moyenne {spend} · :thumbsup: {up} :thumbsdown: {down}",
    "abtest.control": " (témoin)",
    "abtest.diff": "*{arm}* − *{control}* : {diff} points (IC 95 % {low} à {high}), p = {p}. {verdict}",
    "abtest.significant": ":white_check_mark: Différence significative au seuil de 5 %.",
    "abtest.not_significant": "Pas de différence significative à ce stade.",
    "abtest.no_test": "*{arm}* − *{control}* : pas encore assez de données pour comparer.",
    "abtest.sample": "Clients par bras pour détecter {mde} points (puissance 80 %, seuil 5 %) : {needed} ; "
                     "encore {still} par bras.",
    "abtest.sample_observed": "Pour confirmer l'écart observé : {needed} clients par bras.",
    "abtest.sample_unknown": "Taille d'échantillon : à calculer dès que le témoin a des conversions.",
    "abtest.context": "Affectation par hachage salé (stable) · intervalles de Wilson · test z de deux proportions",
    # /client
    "client.header": "Client {customer}",
    "client.visits": "*Visites* : {visits} au total, {visits_90} ces 90 derniers jours · dernière le {last} "
                     "(il y a {days} j) · client depuis le {first}",
    "client.basket": "*Panier moyen* : {basket} · {items} articles",
    "client.basket_no_price": "*Panier moyen* : {items} articles (prix inconnus)",
    "client.categories": "*Rayons préférés* : {categories}",
    "client.products": "*Produits les plus achetés* : {products}",
    "client.timeline": "*Visites par mois* ({first} → {last})",
    "client.chart_title": "Achats du client {customer} par mois",
    "client.chart_visits": "visites",
    "client.chart_spend": "dépense",
    "client.context": "Données au {as_of} · consultation enregistrée dans le journal d'audit",
    "client.no_database": "Les achats du client ne sont pas lisibles pour l'instant (base de données "
                          "indisponible). Réessayez dans quelques minutes.",
    # 👍 / 👎
    "vote.up": "Utile",
    "vote.down": "Pas utile",
    "vote.thanks_up": ":thumbsup: Merci : « {product} » noté utile pour le client {customer}.",
    "vote.thanks_down": ":thumbsdown: Merci : « {product} » noté pas utile pour le client {customer}.",
    "vote.failed": "Votre avis n'a pas pu être enregistré (base de données indisponible). Réessayez plus tard.",
}

EN: dict[str, str] = {
    "usage.abtest": "/abtest [experiment name]",
    "usage.client": "/client <id>",
    "help.abtest": "*{usage}* — results of the recommendation A/B tests: conversion per arm, difference, "
                   "significance, customers still needed.",
    "help.abtest.examples": "`/abtest` · `/abtest reco-2024`",
    "help.client": "*{usage}* — a customer's card: visits, basket, favourite departments, purchases per month "
                   "(allowed channels and groups only, every look-up logged).",
    "help.client.examples": "`/client 42` · `/client #42`",
    "problem.abtest_extra": "I don't understand \"{extra}\": `/abtest` takes at most one experiment name.",
    "problem.client_extra": "I don't understand \"{extra}\" after the customer id.",
    "error.unknown_experiment": "I don't know the experiment \"{name}\".",
    "error.known_experiments": "Running experiments: {names}.",
    "error.no_experiments": "No experiment is defined (setting `EXPERIMENTS` or table `experiments`).",
    "error.bad_experiment": "An experiment definition cannot be read: {detail}",
    "abtest.header": "A/B test \"{name}\"",
    "abtest.list_header": "A/B tests",
    "abtest.list_item": "• *{name}*: {arms} · {customers} customers exposed",
    "abtest.list_more": "Details: `/abtest <name>`.",
    "abtest.none": "No experiment is running. Define one with the `EXPERIMENTS` setting "
                   "(e.g. `reco:popular=50,model=50`) or in the `experiments` table.",
    "abtest.intro": "Conversion: buying a recommended product within {days} days of the recommendation "
                    "(per exposed customer).",
    "abtest.arm": "*{arm}*{control} · {share} of traffic\n{conversions} / {customers} customers bought: *{rate}* "
                  "(95% CI {low} – {high}) · mean spend {spend} · :thumbsup: {up} :thumbsdown: {down}",
    "abtest.control": " (control)",
    "abtest.diff": "*{arm}* − *{control}*: {diff} points (95% CI {low} to {high}), p = {p}. {verdict}",
    "abtest.significant": ":white_check_mark: Significant at the 5% level.",
    "abtest.not_significant": "No significant difference so far.",
    "abtest.no_test": "*{arm}* − *{control}*: not enough data to compare yet.",
    "abtest.sample": "Customers per arm to detect {mde} points (power 80%, alpha 5%): {needed}; "
                     "{still} more per arm.",
    "abtest.sample_observed": "To confirm the observed difference: {needed} customers per arm.",
    "abtest.sample_unknown": "Sample size: computed once the control has conversions.",
    "abtest.context": "Salted-hash assignment (stable) · Wilson intervals · two-proportion z-test",
    "client.header": "Customer {customer}",
    "client.visits": "*Visits*: {visits} in all, {visits_90} in the last 90 days · last on {last} "
                     "({days} days ago) · customer since {first}",
    "client.basket": "*Average basket*: {basket} · {items} items",
    "client.basket_no_price": "*Average basket*: {items} items (prices unknown)",
    "client.categories": "*Favourite departments*: {categories}",
    "client.products": "*Most bought products*: {products}",
    "client.timeline": "*Visits per month* ({first} → {last})",
    "client.chart_title": "Purchases of customer {customer} per month",
    "client.chart_visits": "visits",
    "client.chart_spend": "spend",
    "client.context": "Data as of {as_of} · this look-up is written to the audit log",
    "client.no_database": "The customer's purchases cannot be read right now (database unavailable). "
                          "Try again in a few minutes.",
    "vote.up": "Useful",
    "vote.down": "Not useful",
    "vote.thanks_up": ":thumbsup: Thanks: \"{product}\" marked useful for customer {customer}.",
    "vote.thanks_down": ":thumbsdown: Thanks: \"{product}\" marked not useful for customer {customer}.",
    "vote.failed": "Your feedback could not be saved (database unavailable). Please try again later.",
}
