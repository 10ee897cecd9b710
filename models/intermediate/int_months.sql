{#- (model, column, is_date): the event dates whose months the spine must cover -#}
{%- set event_dates = [
    ('stg_crm__leads', 'created_at', false),
    ('stg_crm__contacts', 'created_at', false),
    ('stg_crm__stage_history', 'entered_at', false),
    ('stg_map__email_events', 'occurred_at', false),
    ('stg_map__web_activities', 'occurred_at', false),
    ('stg_finance__marketing_spend', 'spend_date', true),
    ('stg_crm__opportunities', 'created_at', false),
    ('stg_crm__opportunities', 'closed_at', false),
    ('stg_billing__subscriptions', 'started_on', true),
    ('stg_survey__nps_responses', 'responded_at', false),
] -%}

with

source_ranges as (

    {% for model, column, is_date in event_dates %}
        select
            min({{ month_start(column, is_date=is_date) }}) as first_month,
            max({{ month_start(column, is_date=is_date) }}) as last_month
        from {{ ref(model) }}
        {% if not loop.last %}union all{% endif %}
    {% endfor %}

),

data_range as (

    select
        min(first_month) as first_month,
        max(last_month) as last_month
    from source_ranges

),

digits as (

    select digit_values.digit
    from (values (0), (1), (2), (3), (4), (5), (6), (7), (8), (9)) as digit_values (digit)

),

-- 0..9999 months: more than any real history
numbers as (

    select thousands.digit * 1000 + hundreds.digit * 100 + tens.digit * 10 + ones.digit as month_number
    from digits as ones
    cross join digits as tens
    cross join digits as hundreds
    cross join digits as thousands

),

spine as (

    select cast({{ dbt.dateadd('month', 'numbers.month_number', 'data_range.first_month') }} as date) as report_month
    from data_range
    inner join numbers
        on numbers.month_number <= {{ dbt.datediff('data_range.first_month', 'data_range.last_month', 'month') }}

),

final as (

    select
        report_month,
        cast({{ dbt.dateadd('month', 1, 'report_month') }} as date) as month_end,
        cast({{ dbt.date_trunc('quarter', 'report_month') }} as date) as quarter_start,
        -- the month's local boundaries as UTC instants, to compare with the facts' UTC timestamps
        {{ utc_instant('report_month') }} as month_starts_at,
        {{ utc_instant(dbt.dateadd('month', 1, 'report_month')) }} as month_ends_at
    from spine

)

select * from final
