{%- set numeric = dbt.type_numeric() -%}

with

months as (

    select * from {{ ref('int_months') }}

),

email_sends as (

    select * from {{ ref('int_email_sends') }}

),

account_mrr as (

    select * from {{ ref('fct_account_mrr_monthly') }}

),

opportunities as (

    select * from {{ ref('fct_opportunities') }}

),

nps_responses as (

    select * from {{ ref('fct_nps_responses') }}

),

customer_emails as (

    select
        send_month as report_month,
        count(case when is_delivered = true then 1 end) as customer_emails_delivered,
        count(case when is_opened = true then 1 end) as customer_unique_opens,
        count(case when is_clicked = true then 1 end) as customer_unique_clicks
    from email_sends
    where audience = 'customer'
    group by send_month

),

-- customers = accounts with an active subscription; at start = active on the month's first day, lost = of
-- those, no active subscription on the next month's first day (accounts starting in the month are in neither)
retention as (

    select
        report_month,
        count(case when is_customer_at_start = true then 1 end) as customers_at_start,
        count(case when is_customer_at_start = true and is_customer_at_end = false then 1 end) as customers_lost,
        count(case when movement = 'new' then 1 end) as new_billing_customers,
        count(case when movement = 'reactivated' then 1 end) as reactivated_customers,
        sum(mrr_at_start) as mrr_at_start,
        sum(new_mrr) as new_mrr,
        sum(expansion_mrr) as expansion_mrr,
        sum(contraction_mrr) as contraction_mrr,
        sum(churned_mrr) as churned_mrr,
        sum(reactivated_mrr) as reactivated_mrr
    from account_mrr
    group by report_month

),

won_opportunities as (

    select * from opportunities
    where is_won = true and closed_month is not null

),

won_by_month as (

    select
        closed_month as report_month,
        sum(amount) as won_amount,
        sum(case when opportunity_type = 'upsell' then amount else 0 end) as upsell_amount,
        sum(case when opportunity_type = 'cross_sell' then amount else 0 end) as cross_sell_amount,
        sum(case when opportunity_type = 'renewal' then amount else 0 end) as renewal_amount,
        count(case when opportunity_type = 'upsell' then 1 end) as upsells,
        count(case when opportunity_type = 'cross_sell' then 1 end) as cross_sells,
        count(case when opportunity_type = 'renewal' then 1 end) as resells,
        sum(case when is_existing_customer = true then amount else 0 end) as existing_customer_revenue
    from won_opportunities
    group by closed_month

),

-- the month an account becomes a customer (1st win) and a repeat customer (2nd win)
account_wins as (

    select
        account_id,
        closed_month,
        row_number() over (partition by account_id order by closed_at, opportunity_id) as win_number
    from won_opportunities
    where account_id is not null

),

customer_milestones as (

    select
        closed_month as report_month,
        count(case when win_number = 1 then 1 end) as first_wins,
        count(case when win_number = 2 then 1 end) as second_wins
    from account_wins
    where win_number <= 2
    group by closed_month

),

nps_by_month as (

    select
        response_month as report_month,
        count(*) as nps_responses,
        count(case when nps_category = 'promoter' then 1 end) as promoters,
        count(case when nps_category = 'passive' then 1 end) as passives,
        count(case when nps_category = 'detractor' then 1 end) as detractors
    from nps_responses
    group by response_month

),

joined as (

    select
        months.report_month,
        coalesce(customer_emails.customer_emails_delivered, 0) as customer_emails_delivered,
        coalesce(customer_emails.customer_unique_opens, 0) as customer_unique_opens,
        coalesce(customer_emails.customer_unique_clicks, 0) as customer_unique_clicks,
        coalesce(retention.customers_at_start, 0) as customers_at_start,
        coalesce(retention.customers_lost, 0) as customers_lost,
        coalesce(retention.new_billing_customers, 0) as new_billing_customers,
        coalesce(retention.reactivated_customers, 0) as reactivated_customers,
        coalesce(retention.mrr_at_start, 0) as mrr_at_start,
        coalesce(retention.new_mrr, 0) as new_mrr,
        coalesce(retention.expansion_mrr, 0) as expansion_mrr,
        coalesce(retention.contraction_mrr, 0) as contraction_mrr,
        coalesce(retention.churned_mrr, 0) as churned_mrr,
        coalesce(retention.reactivated_mrr, 0) as reactivated_mrr,
        coalesce(won_by_month.won_amount, 0) as won_amount,
        coalesce(won_by_month.upsell_amount, 0) as upsell_amount,
        coalesce(won_by_month.cross_sell_amount, 0) as cross_sell_amount,
        coalesce(won_by_month.renewal_amount, 0) as renewal_amount,
        coalesce(won_by_month.upsells, 0) as upsells,
        coalesce(won_by_month.cross_sells, 0) as cross_sells,
        coalesce(won_by_month.resells, 0) as resells,
        coalesce(won_by_month.existing_customer_revenue, 0) as existing_customer_revenue,
        coalesce(customer_milestones.first_wins, 0) as first_wins,
        coalesce(customer_milestones.second_wins, 0) as second_wins,
        coalesce(nps_by_month.nps_responses, 0) as nps_responses,
        coalesce(nps_by_month.promoters, 0) as promoters,
        coalesce(nps_by_month.passives, 0) as passives,
        coalesce(nps_by_month.detractors, 0) as detractors
    from months
    left join customer_emails
        on months.report_month = customer_emails.report_month
    left join retention
        on months.report_month = retention.report_month
    left join won_by_month
        on months.report_month = won_by_month.report_month
    left join customer_milestones
        on months.report_month = customer_milestones.report_month
    left join nps_by_month
        on months.report_month = nps_by_month.report_month

),

running as (

    -- months are contiguous (int_months), so row frames are month frames
    select
        joined.*,
        sum(joined.won_amount) over (
            order by joined.report_month rows between 11 preceding and current row
        ) as won_amount_ttm,
        sum(joined.upsell_amount + joined.cross_sell_amount) over (
            order by joined.report_month rows between 11 preceding and current row
        ) as upsell_cross_sell_amount_ttm,
        sum(joined.first_wins) over (
            order by joined.report_month rows between unbounded preceding and current row
        ) as customers,
        sum(joined.second_wins) over (
            order by joined.report_month rows between unbounded preceding and current row
        ) as repeat_customers
    from joined

),

final as (

    select
        report_month,
        customer_emails_delivered,
        cast({{ safe_divide('customer_unique_opens', 'customer_emails_delivered') }} as {{ numeric }})
            as customer_open_rate,
        cast({{ safe_divide('customer_unique_clicks', 'customer_emails_delivered') }} as {{ numeric }})
            as customer_click_rate,
        customers_at_start,
        customers_lost,
        new_billing_customers,
        reactivated_customers,
        cast({{ safe_divide('customers_lost', 'customers_at_start') }} as {{ numeric }}) as churn_rate,
        cast(mrr_at_start as {{ numeric }}) as mrr_at_start,
        cast(new_mrr as {{ numeric }}) as new_mrr,
        cast(expansion_mrr as {{ numeric }}) as expansion_mrr,
        cast(contraction_mrr as {{ numeric }}) as contraction_mrr,
        cast(churned_mrr as {{ numeric }}) as churned_mrr,
        cast(reactivated_mrr as {{ numeric }}) as reactivated_mrr,
        cast({{ safe_divide('churned_mrr', 'mrr_at_start') }} as {{ numeric }}) as revenue_churn_rate,
        cast(won_amount as {{ numeric }}) as won_amount,
        cast(upsell_amount as {{ numeric }}) as upsell_amount,
        cast(cross_sell_amount as {{ numeric }}) as cross_sell_amount,
        cast(renewal_amount as {{ numeric }}) as renewal_amount,
        upsells,
        cross_sells,
        resells,
        cast({{ safe_divide('upsell_amount + cross_sell_amount', 'won_amount') }} as {{ numeric }})
            as upsell_share,
        cast(won_amount_ttm as {{ numeric }}) as won_amount_ttm,
        cast({{ safe_divide('upsell_cross_sell_amount_ttm', 'won_amount_ttm') }} as {{ numeric }})
            as upsell_share_ttm,
        cast(customers as {{ dbt.type_bigint() }}) as customers,
        cast(repeat_customers as {{ dbt.type_bigint() }}) as repeat_customers,
        cast({{ safe_divide('repeat_customers', 'customers') }} as {{ numeric }}) as repeat_customer_rate,
        cast(existing_customer_revenue as {{ numeric }}) as existing_customer_revenue,
        nps_responses,
        promoters,
        passives,
        detractors,
        cast({{ safe_divide('100 * (promoters - detractors)', 'nps_responses') }} as {{ numeric }}) as nps
    from running

)

select * from final
