"""Messages about stores, channel links and orders (French and English), merged into :mod:`bot.i18n`'s catalogue."""

from __future__ import annotations

FR: dict[str, str] = {
    # what a figure covers
    "scope.store": ":convenience_store: Magasin *{store}*",
    "scope.region": ":round_pushpin: Région *{region}* ({n} magasins, somme des prévisions par magasin)",
    "scope.chain": ":office: Pour toute la chaîne ({n} magasins, somme des prévisions par magasin)",
    "scope.chain_hint": "Ce canal n'est lié à aucun magasin. Liez-le avec `/caddie magasin <nom>` "
                        "ou précisez `magasin <nom>` dans la commande.",
    "scope.chart.store": "magasin {store}",
    "scope.chart.region": "région {region}",
    "scope.chart.chain": "chaîne",
    "chart.title_scope": "Prévision de la demande – {product} ({scope})",
    # channel links
    "link.store": "Ce canal répond pour le magasin *{store}*{where}.",
    "link.where": " ({city})",
    "link.setting": "Lien fixé par le réglage `CHANNEL_STORES`.",
    "link.none": "Ce canal n'est lié à aucun magasin : les réponses valent pour toute la chaîne ({n} magasins). "
                 "Liez-le avec `/caddie magasin <nom>`.",
    "link.region": "Ce canal répond pour la région *{region}* (réglage `CHANNEL_STORES`).",
    "link.stores": "Ce canal suit {n} magasins : {stores} (réglage `CHANNEL_STORES`). Les commandes y répondent "
                   "pour toute la chaîne sauf `magasin <nom>` dans le texte.",
    "link.done": ":white_check_mark: Ce canal est maintenant lié au magasin *{store}* : les commandes tapées ici "
                 "répondent pour ce magasin (sauf `magasin <autre>` dans le texte).",
    "link.removed": "Ce canal n'est plus lié à un magasin : les réponses valent pour toute la chaîne ({n} magasins).",
    "link.usage": "`/caddie magasin <nom ou numéro>` lie ce canal à un magasin · `/caddie magasin` montre le lien "
                  "· `/caddie magasin aucun` le retire.",
    # usage problems
    "problem.missing_store": "Il manque le nom du magasin après « magasin ».",
    "problem.order_needs_store": "Une commande se calcule pour un magasin : ajoutez `magasin <nom>` ou liez ce canal "
                                 "avec `/caddie magasin <nom>`.",
    "problem.link_needs_channel": "Un magasin se lie à un canal Slack (`/caddie magasin <nom>` dans ce canal). "
                                  "Ici, ajoutez `magasin <nom>` à la commande.",
    "problem.link_unavailable": "Je ne peux pas enregistrer le lien pour le moment (base de données indisponible) : "
                                "réessayez plus tard, ou précisez `magasin <nom>` dans la commande.",
    "problem.order_period": "Une commande se calcule pour un jour de commande (ex. `demain`), pas pour une période.",
    # errors
    "error.unknown_store": "Je ne trouve pas le magasin « {query} ».",
    "error.store_suggestions": "Magasins proches : {suggestions}.",
    "error.no_store_suggestions": "Indiquez son numéro, sa ville ou son nom (ex. « Lyon Part-Dieu »).",
    "error.not_sold_in_store": "Le magasin {store} ne vend pas « {product} ».",
    "error.no_customer_data": "Ces données n'ont pas de clients (« {data} » est un journal des ventes par magasin "
                              "et produit) : je ne peux répondre qu'aux prévisions (`/forecast`) et aux "
                              "commandes (`/commande`).",
    # /commande
    "help.order": "*{usage}* — quantité à commander maintenant pour chaque produit (ou un rayon), avec le détail "
                  "du calcul.",
    "help.order.examples": "`/commande` · `/commande yaourt nature` · `/commande crèmerie magasin Nantes`",
    "usage.order": "/commande [produit | rayon] [magasin <nom>] [date]",
    "help.stores": "Magasin : dans un canal lié (`/caddie magasin <nom>`), les réponses valent pour ce magasin ; "
                   "ajoutez `magasin <nom>` pour un autre (`/forecast yaourt demain magasin Nantes`).",
    "order.header": "Commande proposée — {store} · {day}",
    "order.basis.stock": "Calculée avec le stock au {as_of} (en rayon et en commande).",
    "order.basis.forecast_only": ":warning: *Proposition à partir de la prévision seule* : pas de données de stock "
                                 "pour {store}, le stock en rayon et en commande est compté à zéro. Déduisez "
                                 "votre stock avant de commander.",
    "order.summary": "{n} produit(s) à commander sur {total}, {packs} colis au total.",
    "order.empty": "Aucun produit à proposer pour {store}.",
    "order.line": "*{product}* : commander *{quantity}* ({packs} × {pack_size})",
    "order.line.none": "*{product}* : rien à commander (le stock couvre les {days} prochains jours)",
    "order.why.period": "prévision sur {days} j (délai {lead} j + revue {review} j) : {mean}",
    "order.why.quantile": "à {level} de service : {quantile} (stock de sécurité {safety})",
    "order.why.stock": "en stock {on_hand}, en commande {on_order} → besoin {need}",
    "order.why.no_stock": "stock inconnu (compté à zéro)",
    "order.why.packs": "arrondi à {packs} colis de {pack_size}",
    "order.why.shelf_life": "plafonné à ce qui se vend avant péremption ({days} j)",
    # logistics post per store
    "logistics.store_header": "{store} — {day}",
    "logistics.summary": "Prévisions et commandes pour {n} magasins : le détail de chaque magasin est dans le fil "
                         "de ce message.",
    "logistics.summary_item": "• *{store}* : {products} produits, {orders} à commander ({packs} colis)",
    "logistics.orders_title": "*Commandes proposées*",
    "logistics.store_failed": "• *{store}* : indisponible ({reason})",
    "logistics.no_stores": "Aucun magasin pour ce canal : vérifiez le réglage `CHANNEL_STORES`.",
}

EN: dict[str, str] = {
    "scope.store": ":convenience_store: Store *{store}*",
    "scope.region": ":round_pushpin: Region *{region}* ({n} stores, sum of the store forecasts)",
    "scope.chain": ":office: For the whole chain ({n} stores, sum of the store forecasts)",
    "scope.chain_hint": "This channel is not linked to a store. Link it with `/caddie store <name>` "
                        "or add `store <name>` to the command.",
    "scope.chart.store": "store {store}",
    "scope.chart.region": "region {region}",
    "scope.chart.chain": "chain",
    "chart.title_scope": "Demand forecast – {product} ({scope})",
    "link.store": "This channel answers for store *{store}*{where}.",
    "link.where": " ({city})",
    "link.setting": "Link set by the `CHANNEL_STORES` setting.",
    "link.none": "This channel is not linked to a store: answers are for the whole chain ({n} stores). "
                 "Link it with `/caddie store <name>`.",
    "link.region": "This channel answers for region *{region}* (`CHANNEL_STORES` setting).",
    "link.stores": "This channel follows {n} stores: {stores} (`CHANNEL_STORES` setting). Commands here answer "
                   "for the whole chain unless the text says `store <name>`.",
    "link.done": ":white_check_mark: This channel is now linked to store *{store}*: commands typed here answer "
                 "for that store (unless the text says `store <other>`).",
    "link.removed": "This channel is no longer linked to a store: answers are for the whole chain ({n} stores).",
    "link.usage": "`/caddie store <name or number>` links this channel to a store · `/caddie store` shows the link "
                  "· `/caddie store none` removes it.",
    "problem.missing_store": "The store name is missing after \"store\".",
    "problem.order_needs_store": "An order is computed for one store: add `store <name>` or link this channel with "
                                 "`/caddie store <name>`.",
    "problem.link_needs_channel": "A store is linked to a Slack channel (`/caddie store <name>` in that channel). "
                                  "Here, add `store <name>` to the command.",
    "problem.link_unavailable": "I cannot save the link right now (database unavailable): try again later, or add "
                                "`store <name>` to the command.",
    "problem.order_period": "An order is computed for an order day (e.g. `tomorrow`), not for a period.",
    "error.unknown_store": "I can't find the store \"{query}\".",
    "error.store_suggestions": "Close stores: {suggestions}.",
    "error.no_store_suggestions": "Give its number, city or name (e.g. \"Lyon Part-Dieu\").",
    "error.not_sold_in_store": "Store {store} does not sell \"{product}\".",
    "error.no_customer_data": "These data have no customers (\"{data}\" is a log of sales per store and product): "
                              "I can only answer forecasts (`/forecast`) and orders (`/order`).",
    "help.order": "*{usage}* — quantity to order now for each product (or a department), with how it is computed.",
    "help.order.examples": "`/order` · `/order plain yogurt` · `/order dairy store Nantes`",
    "usage.order": "/order [product | department] [store <name>] [date]",
    "help.stores": "Store: in a linked channel (`/caddie store <name>`) answers are for that store; add "
                   "`store <name>` for another one (`/forecast yogurt tomorrow store Nantes`).",
    "order.header": "Proposed order — {store} · {day}",
    "order.basis.stock": "Computed with the stock as of {as_of} (on hand and on order).",
    "order.basis.forecast_only": ":warning: *Proposal from the forecast alone*: no stock data for {store}, stock on "
                                 "hand and on order count as zero. Subtract your stock before ordering.",
    "order.summary": "{n} product(s) to order out of {total}, {packs} packs in all.",
    "order.empty": "No product to propose for {store}.",
    "order.line": "*{product}*: order *{quantity}* ({packs} × {pack_size})",
    "order.line.none": "*{product}*: nothing to order (stock covers the next {days} days)",
    "order.why.period": "forecast over {days} d (lead time {lead} d + review {review} d): {mean}",
    "order.why.quantile": "at {level} service: {quantile} (safety stock {safety})",
    "order.why.stock": "on hand {on_hand}, on order {on_order} → need {need}",
    "order.why.no_stock": "stock unknown (counted as zero)",
    "order.why.packs": "rounded up to {packs} packs of {pack_size}",
    "order.why.shelf_life": "capped at what sells before expiry ({days} d)",
    "logistics.store_header": "{store} — {day}",
    "logistics.summary": "Forecasts and orders for {n} stores: each store's details are in this message's thread.",
    "logistics.summary_item": "• *{store}*: {products} products, {orders} to order ({packs} packs)",
    "logistics.orders_title": "*Proposed orders*",
    "logistics.store_failed": "• *{store}*: unavailable ({reason})",
    "logistics.no_stores": "No store for this channel: check the `CHANNEL_STORES` setting.",
}
