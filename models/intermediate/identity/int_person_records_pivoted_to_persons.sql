{#- Passthrough columns (macros/passthrough.sql): CRM fields named in a var, after the other columns. -#}
{%- set passthrough = person_passthrough_columns() -%}

with

person_records as (

    select * from {{ ref('int_person_records') }}

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

{%- if passthrough %}

contacts as (

    select * from {{ ref('stg_crm__contacts') }}

),

leads as (

    select * from {{ ref('stg_crm__leads') }}

),

-- a passthrough value is the person's contact's (contact_id), else its lead's (lead_id)
passthrough_values as (

    select
        persons.person_id as passthrough_person_id
        {%- for column in passthrough %},
        {% if column.files | length == 2 -%}
            coalesce(
                cast(contacts.{{ column.alias }} as {{ declared_type(column.data_type) }}),
                cast(leads.{{ column.alias }} as {{ declared_type(column.data_type) }})
            )
        {%- else -%}
            {{ 'contacts' if column.files == ['crm_contacts'] else 'leads' }}.{{ column.alias }}
        {%- endif %} as {{ column.alias }}
        {%- endfor %}
    from persons
    left join contacts
        on persons.contact_id = contacts.contact_id
    left join leads
        on persons.lead_id = leads.lead_id

),

{%- endif %}

final as (

    select
        person_id,
        record_count,
        lead_id,
        contact_id,
        email,
        account_id,
        acquisition_channel,
        title,
        case
            when title is null then 'unknown'
            when
                lower(title) like '%chief%'
                or lower(title) like '%founder%'
                or (lower(title) like '%president%' and lower(title) not like '%vice%')
                or lower(title) in ('ceo', 'cfo', 'cmo', 'coo', 'cto', 'cio', 'cro')
                or lower(title) like 'c_o %'
                or lower(title) like '% c_o'
                or lower(title) like '% c_o %'
                then 'c_level'
            when
                lower(title) like '%vice president%'
                or lower(title) like 'vp%'
                or lower(title) like '% vp%'
                or lower(title) like '%svp%'
                or lower(title) like '%evp%'
                then 'vp'
            when
                lower(title) like '%director%'
                or lower(title) like '%head of%'
                then 'director'
            when lower(title) like '%manager%' then 'manager'
            else 'individual'
        end as job_level,
        industry,
        country,
        created_at
        {{ passthrough_select(columns=passthrough) }}  -- noqa: LT02
    from persons
    {%- if passthrough %}
    left join passthrough_values
        on persons.person_id = passthrough_values.passthrough_person_id
    {%- endif %}

)

select * from final
