{%- set stages = ['subscriber', 'lead', 'mql', 'sql', 'opportunity', 'customer', 'recycled', 'disqualified'] -%}
{#-
    email_hash: md5 of the salt followed by the normalized email (dbt.hash over dbt.concat, the same on every
    target). The salt comes from env var LIFECYCLE_PII_SALT; the default is public (documented in dim_persons.yml),
    so set your own to keep the hashes from being matched against a list of known addresses.
-#}
{%- set pii_salt = env_var('LIFECYCLE_PII_SALT', 'lifecycle-default-salt') | replace("'", "''") -%}

with

person_records as (

    select * from {{ ref('int_person_records') }}

),

email_persons as (

    select * from {{ ref('int_email_persons') }}

),

stage_transitions as (

    select * from {{ ref('fct_stage_transitions') }}

),

campaign_members as (

    select * from {{ ref('stg_crm__campaign_members') }}

),

web_activities as (

    select * from {{ ref('stg_map__web_activities') }}

),

-- one rank per attribute: rank 1 is the record the person's value comes from
ranked_records as (

    select
        person_id,
        record_type,
        record_id,
        created_at,
        channel,
        account_id,
        title,
        industry,
        country,
        {{ normalize_email('email') }} as email,
        row_number() over (
            partition by person_id
            order by case when record_type = 'lead' then 0 else 1 end, created_at, record_id
        ) as first_lead_rank,
        row_number() over (
            partition by person_id
            order by case when record_type = 'contact' then 0 else 1 end, created_at desc, record_id desc
        ) as latest_contact_rank,
        row_number() over (
            partition by person_id
            order by
                case when account_id is not null then 0 else 1 end,
                case when record_type = 'contact' then 0 else 1 end,
                created_at desc,
                record_id desc
        ) as account_rank,
        row_number() over (
            partition by person_id
            order by case when channel is not null then 0 else 1 end, created_at, record_id
        ) as channel_rank,
        row_number() over (
            partition by person_id
            order by case when title is not null then 0 else 1 end, created_at desc, record_id desc
        ) as title_rank,
        row_number() over (
            partition by person_id
            order by case when industry is not null then 0 else 1 end, created_at desc, record_id desc
        ) as industry_rank,
        row_number() over (
            partition by person_id
            order by case when country is not null then 0 else 1 end, created_at desc, record_id desc
        ) as country_rank,
        row_number() over (
            partition by person_id
            order by
                case when {{ normalize_email('email') }} is not null then 0 else 1 end,
                created_at desc,
                record_id desc
        ) as email_rank
    from person_records

),

persons as (

    select
        person_id,
        count(*) as record_count,
        max(case when first_lead_rank = 1 and record_type = 'lead' then record_id end) as lead_id,
        max(case when latest_contact_rank = 1 and record_type = 'contact' then record_id end) as contact_id,
        max(case when account_rank = 1 then account_id end) as account_id,
        coalesce(max(case when channel_rank = 1 then channel end), 'other') as acquisition_channel,
        max(case when title_rank = 1 then title end) as title,
        max(case when industry_rank = 1 then industry end) as industry,
        max(case when country_rank = 1 then country end) as country,
        max(case when email_rank = 1 then email end) as email,
        min(created_at) as created_at
    from ranked_records
    group by person_id

),

-- campaign touches: campaign memberships of the person's records, and campaign-tagged web activities of
-- every visitor the person was ever identified as
member_touches as (

    select
        person_records.person_id,
        campaign_members.campaign_id,
        campaign_members.created_at as touched_at
    from campaign_members
    inner join person_records
        on
            person_records.record_type = 'lead'
            and campaign_members.lead_id = person_records.record_id
    where campaign_members.campaign_id is not null

    union all

    select
        person_records.person_id,
        campaign_members.campaign_id,
        campaign_members.created_at as touched_at
    from campaign_members
    inner join person_records
        on
            person_records.record_type = 'contact'
            and campaign_members.contact_id = person_records.record_id
    where campaign_members.campaign_id is not null

),

visitor_persons as (

    select distinct
        web_activities.visitor_id,
        email_persons.person_id
    from web_activities
    inner join email_persons
        on web_activities.email = email_persons.email

),

web_touches as (

    select
        visitor_persons.person_id,
        web_activities.campaign_id,
        web_activities.occurred_at as touched_at
    from web_activities
    inner join visitor_persons
        on web_activities.visitor_id = visitor_persons.visitor_id
    where web_activities.campaign_id is not null

),

first_touches as (

    select
        touches.person_id,
        touches.campaign_id,
        row_number() over (
            partition by touches.person_id order by touches.touched_at, touches.campaign_id
        ) as touch_rank
    from (
        select
            person_id,
            campaign_id,
            touched_at
        from member_touches
        union all
        select
            person_id,
            campaign_id,
            touched_at
        from web_touches
    ) as touches

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
        case
            when persons.title is null then 'unknown'
            when
                lower(persons.title) like '%chief%'
                or lower(persons.title) like '%founder%'
                or (lower(persons.title) like '%president%' and lower(persons.title) not like '%vice%')
                or lower(persons.title) in ('ceo', 'cfo', 'cmo', 'coo', 'cto', 'cio', 'cro')
                or lower(persons.title) like 'c_o %'
                or lower(persons.title) like '% c_o'
                or lower(persons.title) like '% c_o %'
                then 'c_level'
            when
                lower(persons.title) like '%vice president%'
                or lower(persons.title) like 'vp%'
                or lower(persons.title) like '% vp%'
                or lower(persons.title) like '%svp%'
                or lower(persons.title) like '%evp%'
                then 'vp'
            when
                lower(persons.title) like '%director%'
                or lower(persons.title) like '%head of%'
                then 'director'
            when lower(persons.title) like '%manager%' then 'manager'
            else 'individual'
        end as job_level,
        persons.country,
        persons.created_at,
        {{ month_start('persons.created_at') }} as created_month,
        {% for stage in stages %}
            stage_dates.first_{{ stage }}_at,
            stage_dates.latest_{{ stage }}_at,
        {% endfor %}
        current_stages.current_stage
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
