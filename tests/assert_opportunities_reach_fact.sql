-- Every staged opportunity (stg_crm__opportunities) reaches fct_opportunities exactly once with the same
-- amount (within 0.01), and the fact has no other rows. Deleted opportunities (latest version a tombstone,
-- is_deleted) are already excluded in staging, so they are accounted for there and must not reach the fact.
-- Returns the opportunities that break this.
with

staged as (

    select
        opportunity_id,
        amount
    from {{ ref('stg_crm__opportunities') }}

),

facts as (

    select
        opportunity_id,
        count(*) as fact_rows,
        sum(amount) as amount
    from {{ ref('fct_opportunities') }}
    group by opportunity_id

)

select
    coalesce(staged.opportunity_id, facts.opportunity_id) as opportunity_id,
    staged.amount as staged_amount,
    facts.amount as fact_amount,
    coalesce(facts.fact_rows, 0) as fact_rows
from staged
full outer join facts
    on staged.opportunity_id = facts.opportunity_id
where
    staged.opportunity_id is null
    or facts.opportunity_id is null
    or facts.fact_rows <> 1
    or abs(coalesce(staged.amount, 0) - coalesce(facts.amount, 0)) > 0.01
