-- Propensity models (PLAYBOOK.md step 2): per season and activity, the logistic score fitted on the
-- leads of earlier seasons and their observed conversions, term by term, so that every propensity can be
-- traced: propensity = min(1, prior × σ(intercept + Σ coefficient × (x − mean) / sd) / mean_score).
CREATE TABLE propensity_models (
  season_start DATE NOT NULL,
  activity_id VARCHAR NOT NULL,
  term VARCHAR NOT NULL,                -- '(intercept)' or a fact of the activity's rule
  coefficient FLOAT8 NOT NULL,          -- on the standardised fact
  mean FLOAT8,                          -- the fact's mean over the training leads (a missing value counts as the mean)
  sd FLOAT8,
  training_leads BIGINT NOT NULL,
  training_conversions BIGINT NOT NULL,
  mean_score FLOAT8 NOT NULL,           -- the mean fitted probability over the training leads
  fitted_on DATE NOT NULL
);
