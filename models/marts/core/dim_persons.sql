{%- set stages = ['subscriber', 'lead', 'mql', 'sql', 'opportunity', 'customer', 'recycled', 'disqualified'] -%}
{#-
    email_hash: md5 of the salt followed by the normalized email (dbt.hash over dbt.concat, the same on every
    target). The salt comes from env var LIFECYCLE_PII_SALT; the default is public (documented in dim_persons.yml),
    so set your own to keep the hashes from being matched against a list of known addresses.
-#}
{%- set pii_salt = env_var('LIFECYCLE_PII_SALT', 'lifecycle-default-salt') | replace("'", "''") -%}
{#- Passthrough columns (macros/passthrough.sql; values from int_person_records_pivoted_to_persons) follow the
    documented columns; a dbt contract cannot list columns a var names, so it is enforced while there are none. -#}
{%- set passthrough = person_passthrough_columns() -%}
{{ config(contract={'enforced': passthrough | length == 0}) -}}

with

persons as (

    select * from {{ ref('int_person_records_pivoted_to_persons') }}

),

campaign_touches as (

    select * from {{ ref('int_campaign_touches_unioned') }}

),

stage_transitions as (

    select * from {{ ref('fct_stage_transitions') }}

),

first_touches as (

    select
        person_id,
        campaign_id,
        row_number() over (
            partition by person_id order by touched_at, campaign_id
        ) as touch_rank
    from campaign_touches

),

stage_dates as (

    select
        person_id,
        {% for stage in stages %}
            min(case when stage = '{{ stage }}' then entered_at end) as first_{{ stage }}_at,
            max(case when stage = '{{ stage }}' then entered_at end) as latest_{{ stage }}_at
            {%- if not loop.last %},{% endif %}
        {% endfor %}
    from stage_transitions
    group by person_id

),

current_stages as (

    select
        person_id,
        stage as current_stage,
        row_number() over (
            partition by person_id order by entered_at desc, stage_event_id desc
        ) as stage_rank
    from stage_transitions

),

final as (

    select
        persons.person_id,
        persons.record_count,
        persons.lead_id,
        persons.contact_id,
        -- the raw email never leaves this model: only its salted hash (null when the person has no email)
        case
            when persons.email is not null
                then {{ dbt.hash(dbt.concat(["'" ~ pii_salt ~ "'", 'persons.email'])) }}
        end as email_hash,
        persons.account_id,
        persons.acquisition_channel,
        first_touches.campaign_id as first_touch_campaign_id,
        persons.industry,
        persons.job_level,
        persons.country,
        persons.created_at,
        {{ month_start('persons.created_at') }} as created_month,
        {% for stage in stages %}
            stage_dates.first_{{ stage }}_at,
            stage_dates.latest_{{ stage }}_at,
        {% endfor %}
        current_stages.current_stage
        {{ passthrough_select(columns=passthrough, prefix='persons.') }}  -- noqa: LT02
    from persons
    left join first_touches
        on
            persons.person_id = first_touches.person_id
            and first_touches.touch_rank = 1
    left join stage_dates
        on persons.person_id = stage_dates.person_id
    left join current_stages
        on
            persons.person_id = current_stages.person_id
            and current_stages.stage_rank = 1

)

select * from final
