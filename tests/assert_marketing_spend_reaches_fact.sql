-- Every staged spend line (stg_finance__marketing_spend) reaches fct_marketing_spend exactly once with the
-- same amount (within 0.01, reporting currency), and the fact has no other lines. Spend has no deletions:
-- lines of a spend_date sent again in a later batch replace the earlier ones, which staging already drops
-- (accounted for there). Returns the lines that break this.
with

staged as (

    select
        spend_line_id,
        amount
    from {{ ref('stg_finance__marketing_spend') }}

),

facts as (

    select
        spend_line_id,
        count(*) as fact_rows,
        sum(amount) as amount
    from {{ ref('fct_marketing_spend') }}
    group by spend_line_id

)

select
    coalesce(staged.spend_line_id, facts.spend_line_id) as spend_line_id,
    staged.amount as staged_amount,
    facts.amount as fact_amount,
    coalesce(facts.fact_rows, 0) as fact_rows
from staged
full outer join facts
    on staged.spend_line_id = facts.spend_line_id
where
    staged.spend_line_id is null
    or facts.spend_line_id is null
    or facts.fact_rows <> 1
    or abs(coalesce(staged.amount, 0) - coalesce(facts.amount, 0)) > 0.01
