{%- set numeric = dbt.type_numeric() -%}

with

account_months as (

    select * from {{ ref('int_account_mrr_classified') }}

),

final as (

    select
        account_id,
        report_month,
        cast(mrr_at_start as {{ numeric }}) as mrr_at_start,
        cast(mrr_at_end as {{ numeric }}) as mrr_at_end,
        is_customer_at_start,
        is_customer_at_end,
        movement,
        cast(case when movement = 'new' then mrr_at_end else 0 end as {{ numeric }}) as new_mrr,
        cast(case when movement = 'expansion' then mrr_at_end - mrr_at_start else 0 end as {{ numeric }})
            as expansion_mrr,
        cast(case when movement = 'contraction' then mrr_at_start - mrr_at_end else 0 end as {{ numeric }})
            as contraction_mrr,
        cast(case when movement = 'churned' then mrr_at_start else 0 end as {{ numeric }}) as churned_mrr,
        cast(case when movement = 'reactivated' then mrr_at_end else 0 end as {{ numeric }}) as reactivated_mrr
    from account_months

)

select * from final
