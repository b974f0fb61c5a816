from kruzhok.promotion.ads import admin as ads_admin  # noqa: F401  (ad campaigns register themselves)
