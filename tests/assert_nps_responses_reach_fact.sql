-- Every staged NPS response (stg_survey__nps_responses) reaches fct_nps_responses exactly once with the same
-- score, and the fact has no other rows. The survey export has no deletions (no is_deleted flag); a response
-- sent again in a later batch is one staged row (latest version per response_id). Returns the responses that
-- break this.
with

staged as (

    select
        response_id,
        score
    from {{ ref('stg_survey__nps_responses') }}

),

facts as (

    select
        response_id,
        count(*) as fact_rows,
        max(score) as score
    from {{ ref('fct_nps_responses') }}
    group by response_id

)

select
    coalesce(staged.response_id, facts.response_id) as response_id,
    staged.score as staged_score,
    facts.score as fact_score,
    coalesce(facts.fact_rows, 0) as fact_rows
from staged
full outer join facts
    on staged.response_id = facts.response_id
where
    staged.response_id is null
    or facts.response_id is null
    or facts.fact_rows <> 1
    or staged.score <> facts.score
    or (staged.score is null and facts.score is not null)
    or (staged.score is not null and facts.score is null)
