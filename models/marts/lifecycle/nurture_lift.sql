with

months as (

    select * from {{ ref('int_months') }}

),

stage_cohorts as (

    select * from {{ ref('int_person_stage_cohorts') }}

),

person_opportunities as (

    select * from {{ ref('int_opportunities_aggregated_to_persons') }}

),

email_sends as (

    select * from {{ ref('int_email_sends') }}

),

lead_cohorts as (

    select
        person_id,
        cohort_month
    from stage_cohorts
    where cohort_stage = 'lead'

),

-- delivered an email of an automated prospect program before the first opportunity (at any time without one)
nurtured_persons as (

    select distinct email_sends.person_id
    from email_sends
    left join person_opportunities
        on email_sends.person_id = person_opportunities.person_id
    where
        {{ program_type('email_sends.audience', 'email_sends.is_automated') }} = 'nurture'
        and email_sends.is_delivered = true
        and (
            person_opportunities.first_opportunity_created_at is null
            or email_sends.sent_at < person_opportunities.first_opportunity_created_at
        )

),

cohort_persons as (

    select
        lead_cohorts.cohort_month,
        nurtured_persons.person_id is not null as is_nurtured,
        case when person_opportunities.person_id is not null then 1 else 0 end as has_opportunity,
        coalesce(person_opportunities.closed_deals, 0) as closed_deals,
        coalesce(person_opportunities.won_deals, 0) as won_deals,
        coalesce(person_opportunities.bookings, 0) as bookings
    from lead_cohorts
    left join nurtured_persons
        on lead_cohorts.person_id = nurtured_persons.person_id
    left join person_opportunities
        on lead_cohorts.person_id = person_opportunities.person_id

),

cohort_groups as (

    select
        cohort_month,
        is_nurtured,
        count(*) as leads,
        sum(has_opportunity) as opportunities,
        sum(closed_deals) as closed_deals,
        sum(won_deals) as won_deals,
        sum(bookings) as bookings
    from cohort_persons
    group by
        cohort_month,
        is_nurtured

),

nurtured_flags as (

    select true as is_nurtured
    union all
    select false as is_nurtured

),

-- spine (every month x both flags) + left join + ratios
final as (

    select
        months.report_month as cohort_month,
        nurtured_flags.is_nurtured,
        cast(coalesce(cohort_groups.leads, 0) as {{ dbt.type_bigint() }}) as leads,
        cast(coalesce(cohort_groups.opportunities, 0) as {{ dbt.type_bigint() }}) as opportunities,
        {{ safe_divide('cohort_groups.opportunities', 'cohort_groups.leads') }} as opportunity_rate,
        cast(coalesce(cohort_groups.closed_deals, 0) as {{ dbt.type_bigint() }}) as closed_deals,
        cast(coalesce(cohort_groups.won_deals, 0) as {{ dbt.type_bigint() }}) as won_deals,
        {{ safe_divide('cohort_groups.won_deals', 'cohort_groups.closed_deals') }} as win_rate,
        cast(coalesce(cohort_groups.bookings, 0) as {{ dbt.type_numeric() }}) as bookings,
        {{ safe_divide('cohort_groups.bookings', 'cohort_groups.won_deals') }} as average_deal_size
    from months
    cross join nurtured_flags
    left join cohort_groups
        on
            months.report_month = cohort_groups.cohort_month
            and nurtured_flags.is_nurtured = cohort_groups.is_nurtured

)

select * from final
