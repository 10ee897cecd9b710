-- Identity resolution converged: int_person_records gives one person_id to every connected component of the
-- identity graph (its label propagation runs a fixed number of steps). The graph's edges are a lead and the
-- contact it converted to (stg_crm__leads.converted_contact_id), and records sharing a normalized email; when
-- both ends of every edge have the same person_id, so does the whole component. Returns the edges whose ends
-- differ (record ids only, no email).
with

person_records as (

    select
        record_type,
        record_id,
        person_id,
        email
    from {{ ref('int_person_records') }}

),

conversion_edges as (

    select
        'conversion' as link,
        {{ dbt.concat(["'lead:'", 'lead_records.record_id']) }} as record_a,
        {{ dbt.concat(["'contact:'", 'contact_records.record_id']) }} as record_b,
        lead_records.person_id as person_a,
        contact_records.person_id as person_b
    from {{ ref('stg_crm__leads') }} as leads
    inner join person_records as lead_records
        on
            lead_records.record_type = 'lead'
            and leads.lead_id = lead_records.record_id
    inner join person_records as contact_records
        on
            contact_records.record_type = 'contact'
            and leads.converted_contact_id = contact_records.record_id
    where lead_records.person_id <> contact_records.person_id

),

email_edges as (

    select
        'email' as link,
        min({{ dbt.concat(['record_type', "':'", 'record_id']) }}) as record_a,
        max({{ dbt.concat(['record_type', "':'", 'record_id']) }}) as record_b,
        min(person_id) as person_a,
        max(person_id) as person_b
    from person_records
    where email is not null
    group by email
    having count(distinct person_id) > 1

)

select
    link,
    record_a,
    record_b,
    person_a,
    person_b
from conversion_edges

union all

select
    link,
    record_a,
    record_b,
    person_a,
    person_b
from email_edges
