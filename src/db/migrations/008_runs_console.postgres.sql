-- The console may read the run ledger (tables published by the pipeline are granted as they are created).
GRANT SELECT ON runs TO wangji_console;
