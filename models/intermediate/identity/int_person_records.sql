{#- Label propagation steps: enough for components whose keys are at most this many links apart. -#}
{%- set propagation_steps = 4 -%}

with

leads as (

    select * from {{ ref('stg_crm__leads') }}

),

contacts as (

    select * from {{ ref('stg_crm__contacts') }}

),

accounts as (

    select * from {{ ref('stg_crm__accounts') }}

),

-- identity key of a CRM record: its normalized email, else the record itself
records as (

    select
        'lead' as record_type,
        lead_id as record_id,
        coalesce(email, {{ dbt.concat(["'lead:'", 'lead_id']) }}) as identity_key,
        email,
        created_at,
        channel,
        converted_account_id as account_id,
        title,
        industry,
        company,
        country
    from leads

    union all

    select
        'contact' as record_type,
        contacts.contact_id as record_id,
        coalesce(contacts.email, {{ dbt.concat(["'contact:'", 'contacts.contact_id']) }}) as identity_key,
        contacts.email,
        contacts.created_at,
        contacts.channel,
        contacts.account_id,
        contacts.title,
        -- contacts carry no firmographics: take them from the account
        accounts.industry,
        accounts.account_name as company,
        accounts.country
    from contacts
    left join accounts
        on contacts.account_id = accounts.account_id

),

-- a converted lead and its contact are one person even when their keys differ
conversion_links as (

    select
        lead_records.identity_key as key_a,
        contact_records.identity_key as key_b
    from leads
    inner join records as lead_records
        on
            lead_records.record_type = 'lead'
            and leads.lead_id = lead_records.record_id
    inner join records as contact_records
        on
            contact_records.record_type = 'contact'
            and leads.converted_contact_id = contact_records.record_id

),

edges as (

    select
        key_a as node,
        key_b as neighbor
    from conversion_links
    union
    select
        key_b as node,
        key_a as neighbor
    from conversion_links

),

-- connected components: every key starts as its own component_key and repeatedly takes the smallest one
-- among itself and its neighbors
labels_0 as (

    select distinct
        identity_key as node,
        identity_key as component_key
    from records

),

{% for step in range(1, propagation_steps + 1) %}
    labels_{{ step }} as (

        select
            candidates.node,
            min(candidates.component_key) as component_key
        from (
            select
                node,
                component_key
            from labels_{{ step - 1 }}
            union all
            select
                edges.node,
                neighbor_labels.component_key
            from edges
            inner join labels_{{ step - 1 }} as neighbor_labels
                on edges.neighbor = neighbor_labels.node
        ) as candidates
        group by candidates.node

    ),
{% endfor %}

final as (

    select
        records.record_type,
        records.record_id,
        {{ surrogate_key(['person_labels.component_key']) }} as person_id,
        records.email,
        records.created_at,
        records.channel,
        records.account_id,
        records.title,
        records.industry,
        records.company,
        records.country
    from records
    inner join labels_{{ propagation_steps }} as person_labels
        on records.identity_key = person_labels.node

)

select * from final
