with

person_cohorts as (

    select * from {{ ref('int_person_stage_cohorts') }}

),

score_changes as (

    select * from {{ ref('int_score_changes_resolved_to_persons') }}

),

new_leads as (

    select
        person_id,
        cohort_month
    from person_cohorts
    where cohort_stage = 'lead'

),

-- the new lead's score changes up to the end of its cohort month (local month), latest first
cohort_score_changes as (

    select
        new_leads.person_id,
        score_changes.new_score,
        row_number() over (
            partition by new_leads.person_id
            order by score_changes.occurred_at desc, score_changes.score_event_id desc
        ) as recency
    from new_leads
    inner join score_changes
        on
            new_leads.person_id = score_changes.person_id
            and new_leads.cohort_month >= score_changes.occurred_month

),

final as (

    select
        new_leads.person_id,
        new_leads.cohort_month,
        coalesce(cohort_score_changes.new_score, 0) as score
    from new_leads
    left join cohort_score_changes
        on
            new_leads.person_id = cohort_score_changes.person_id
            and cohort_score_changes.recency = 1

)

select * from final
