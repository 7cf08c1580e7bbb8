-- Which process runs a pipeline run, so that a later run can tell a run that is still going from one
-- whose process was killed (it stays RUNNING otherwise, and its staging tables stay behind).
ALTER TABLE runs ADD COLUMN host VARCHAR;
ALTER TABLE runs ADD COLUMN pid INTEGER;
