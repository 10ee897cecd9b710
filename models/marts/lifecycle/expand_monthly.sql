{%- set numeric = dbt.type_numeric() -%}
{%- set mrr_columns = [
    'mrr_at_start', 'new_mrr', 'expansion_mrr', 'contraction_mrr', 'churned_mrr', 'reactivated_mrr'
] -%}

with

months as (

    select * from {{ ref('int_months') }}

),

customer_emails as (

    select * from {{ ref('int_email_sends_aggregated_to_months') }}
    where audience = 'customer'

),

retention as (

    select * from {{ ref('int_account_mrr_aggregated_to_months') }}

),

opportunities as (

    select * from {{ ref('int_opportunities_aggregated_to_months') }}

),

nps_by_month as (

    select * from {{ ref('int_nps_responses_aggregated_to_months') }}

),

-- months are contiguous (int_months), so row frames are month frames
running as (

    select
        months.report_month,
        sum(coalesce(opportunities.bookings, 0)) over (
            order by months.report_month rows between 11 preceding and current row
        ) as won_amount_ttm,
        sum(coalesce(opportunities.upsell_bookings + opportunities.cross_sell_bookings, 0)) over (
            order by months.report_month rows between 11 preceding and current row
        ) as upsell_cross_sell_amount_ttm,
        sum(coalesce(opportunities.first_wins, 0)) over (
            order by months.report_month rows between unbounded preceding and current row
        ) as customers,
        sum(coalesce(opportunities.second_wins, 0)) over (
            order by months.report_month rows between unbounded preceding and current row
        ) as repeat_customers
    from months
    left join opportunities
        on months.report_month = opportunities.report_month

),

final as (

    select
        running.report_month,
        coalesce(customer_emails.delivered, 0) as customer_emails_delivered,
        {{ safe_divide('customer_emails.unique_opens', 'customer_emails.delivered') }} as customer_open_rate,
        {{ safe_divide('customer_emails.unique_clicks', 'customer_emails.delivered') }} as customer_click_rate,
        coalesce(retention.customers_at_start, 0) as customers_at_start,
        coalesce(retention.customers_lost, 0) as customers_lost,
        coalesce(retention.new_billing_customers, 0) as new_billing_customers,
        coalesce(retention.reactivated_customers, 0) as reactivated_customers,
        {{ safe_divide('retention.customers_lost', 'retention.customers_at_start') }} as churn_rate,
        {% for column in mrr_columns %}
            cast(coalesce(retention.{{ column }}, 0) as {{ numeric }}) as {{ column }},
        {% endfor %}
        {{ safe_divide('retention.churned_mrr', 'retention.mrr_at_start') }} as revenue_churn_rate,
        cast(coalesce(opportunities.bookings, 0) as {{ numeric }}) as won_amount,
        cast(coalesce(opportunities.upsell_bookings, 0) as {{ numeric }}) as upsell_amount,
        cast(coalesce(opportunities.cross_sell_bookings, 0) as {{ numeric }}) as cross_sell_amount,
        cast(coalesce(opportunities.renewal_bookings, 0) as {{ numeric }}) as renewal_amount,
        coalesce(opportunities.upsell_won_deals, 0) as upsells,
        coalesce(opportunities.cross_sell_won_deals, 0) as cross_sells,
        coalesce(opportunities.renewal_won_deals, 0) as renewals,
        {{ safe_divide(
            'opportunities.upsell_bookings + opportunities.cross_sell_bookings', 'opportunities.bookings'
        ) }} as upsell_share,
        cast(running.won_amount_ttm as {{ numeric }}) as won_amount_ttm,
        {{ safe_divide('running.upsell_cross_sell_amount_ttm', 'running.won_amount_ttm') }} as upsell_share_ttm,
        cast(running.customers as {{ dbt.type_bigint() }}) as customers,
        cast(running.repeat_customers as {{ dbt.type_bigint() }}) as repeat_customers,
        {{ safe_divide('running.repeat_customers', 'running.customers') }} as repeat_customer_rate,
        cast(coalesce(opportunities.existing_customer_bookings, 0) as {{ numeric }}) as existing_customer_revenue,
        coalesce(nps_by_month.responses, 0) as nps_responses,
        coalesce(nps_by_month.promoters, 0) as promoters,
        coalesce(nps_by_month.passives, 0) as passives,
        coalesce(nps_by_month.detractors, 0) as detractors,
        {{ safe_divide('100 * (nps_by_month.promoters - nps_by_month.detractors)', 'nps_by_month.responses') }} as nps
    from running
    left join customer_emails
        on running.report_month = customer_emails.report_month
    left join retention
        on running.report_month = retention.report_month
    left join opportunities
        on running.report_month = opportunities.report_month
    left join nps_by_month
        on running.report_month = nps_by_month.report_month

)

select * from final
