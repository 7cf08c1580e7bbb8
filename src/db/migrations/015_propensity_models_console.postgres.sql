-- The analysts' console may read the propensity models (no personal data).
GRANT SELECT ON propensity_models TO wangji_console;
