with

stage_history as (

    select * from {{ ref('stg_crm__stage_history') }}

),

person_records as (

    select * from {{ ref('int_person_records') }}

),

-- a lead and the contact it converted to may both log the same entry: one row per person, stage and time
person_entries as (

    select
        person_records.person_id,
        stage_history.stage,
        stage_history.entered_at,
        min(stage_history.stage_event_id) as stage_event_id
    from stage_history
    inner join person_records
        on
            stage_history.record_type = person_records.record_type
            and stage_history.record_id = person_records.record_id
    where
        stage_history.stage is not null
        and stage_history.entered_at is not null
    group by
        person_records.person_id,
        stage_history.stage,
        stage_history.entered_at

),

sequenced as (

    select
        person_id,
        stage,
        entered_at,
        stage_event_id,
        lag(stage) over (
            partition by person_id order by entered_at, stage_event_id
        ) as previous_stage,
        lag(entered_at) over (
            partition by person_id order by entered_at, stage_event_id
        ) as previous_entered_at,
        row_number() over (
            partition by person_id, stage order by entered_at, stage_event_id
        ) as entry_number
    from person_entries

),

final as (

    select
        {{ surrogate_key(['person_id', 'stage', 'entered_at']) }} as stage_transition_id,
        stage_event_id,
        person_id,
        stage,
        entered_at,
        {{ month_start('entered_at') }} as entered_month,
        previous_stage,
        previous_entered_at,
        cast(
            {{ dbt.datediff('previous_entered_at', 'entered_at', 'day') }}
            as {{ dbt.type_bigint() }}
        ) as days_since_previous,
        cast(entry_number as {{ dbt.type_bigint() }}) as entry_number,  -- row_number() is an int on Spark
        entry_number = 1 as is_first_entry,
        stage = 'recycled' as is_recycle,
        coalesce(stage in ('lead', 'mql') and previous_stage = 'recycled', false) as is_reopen
    from sequenced

)

select * from final
