{%- set types = ['new_business', 'upsell', 'cross_sell', 'renewal'] -%}

with

opportunities as (

    select * from {{ ref('fct_opportunities') }}

),

account_wins as (

    select * from {{ ref('int_account_wins') }}

),

created as (

    select
        created_month as report_month,
        count(*) as opportunities_created,
        {% for type in types %}
            count(case when opportunity_type = '{{ type }}' then 1 end) as {{ type }}_opportunities_created
            {%- if not loop.last %},{% endif %}
        {% endfor %}
    from opportunities
    group by created_month

),

closed as (

    select
        closed_month as report_month,
        count(*) as closed_deals,
        count(case when outcome = 'won' then 1 end) as won_deals,
        count(case when outcome = 'lost' then 1 end) as lost_deals,
        count(case when outcome = 'no_decision' then 1 end) as no_decision_deals,
        coalesce(sum(case when outcome = 'won' then amount end), 0) as bookings,
        coalesce(sum(case when outcome = 'won' and campaign_id is null then amount end), 0) as unattributed_bookings,
        coalesce(sum(case when outcome = 'won' and is_existing_customer = true then amount end), 0)
            as existing_customer_bookings,
        {% for type in types %}
            count(case when outcome = 'won' and opportunity_type = '{{ type }}' then 1 end) as {{ type }}_won_deals,
            coalesce(sum(case when outcome = 'won' and opportunity_type = '{{ type }}' then amount end), 0)
                as {{ type }}_bookings
            {%- if not loop.last %},{% endif %}
        {% endfor %}
    from opportunities
    where is_closed = true and closed_month is not null
    group by closed_month

),

-- an account becomes a customer with its 1st win and a repeat customer with its 2nd
wins as (

    select
        closed_month as report_month,
        count(case when win_number = 1 then 1 end) as first_wins,
        count(case when win_number = 2 then 1 end) as second_wins
    from account_wins
    where win_number <= 2 and closed_month is not null
    group by closed_month

),

report_months as (

    select report_month from created
    union
    select report_month from closed

),

final as (

    select
        report_months.report_month,
        coalesce(created.opportunities_created, 0) as opportunities_created,
        {% for type in types %}
            coalesce(created.{{ type }}_opportunities_created, 0) as {{ type }}_opportunities_created,
        {% endfor %}
        coalesce(closed.closed_deals, 0) as closed_deals,
        coalesce(closed.won_deals, 0) as won_deals,
        coalesce(closed.lost_deals, 0) as lost_deals,
        coalesce(closed.no_decision_deals, 0) as no_decision_deals,
        coalesce(wins.first_wins, 0) as first_wins,
        coalesce(wins.second_wins, 0) as second_wins,
        coalesce(closed.bookings, 0) as bookings,
        coalesce(closed.unattributed_bookings, 0) as unattributed_bookings,
        coalesce(closed.existing_customer_bookings, 0) as existing_customer_bookings,
        {% for type in types %}
            coalesce(closed.{{ type }}_won_deals, 0) as {{ type }}_won_deals,
            coalesce(closed.{{ type }}_bookings, 0) as {{ type }}_bookings
            {%- if not loop.last %},{% endif %}
        {% endfor %}
    from report_months
    left join created
        on report_months.report_month = created.report_month
    left join closed
        on report_months.report_month = closed.report_month
    left join wins
        on report_months.report_month = wins.report_month

)

select * from final
