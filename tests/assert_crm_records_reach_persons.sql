-- Every staged CRM lead (stg_crm__leads) and contact (stg_crm__contacts) reaches int_person_records exactly
-- once, int_person_records has no other records, and every resolved person is one row of dim_persons (and
-- dim_persons has no other persons). Deleted leads and contacts (latest version a tombstone, is_deleted) are
-- already excluded in staging, so they are accounted for there. Returns the records or persons that break this.
with

staged as (

    select
        'lead' as record_type,
        lead_id as record_id
    from {{ ref('stg_crm__leads') }}

    union all

    select
        'contact' as record_type,
        contact_id as record_id
    from {{ ref('stg_crm__contacts') }}

),

person_records as (

    select
        record_type,
        record_id,
        count(*) as record_rows
    from {{ ref('int_person_records') }}
    group by
        record_type,
        record_id

),

record_problems as (

    select
        coalesce(staged.record_type, person_records.record_type) as record_type,
        coalesce(staged.record_id, person_records.record_id) as record_id,
        case
            when person_records.record_id is null then 'staged record missing from int_person_records'
            when staged.record_id is null then 'int_person_records record not in staging'
            else 'record repeated in int_person_records'
        end as problem
    from staged
    full outer join person_records
        on
            staged.record_type = person_records.record_type
            and staged.record_id = person_records.record_id
    where
        staged.record_id is null
        or person_records.record_id is null
        or person_records.record_rows <> 1

),

resolved_persons as (

    select distinct person_id
    from {{ ref('int_person_records') }}

),

persons as (

    select
        person_id,
        count(*) as person_rows
    from {{ ref('dim_persons') }}
    group by person_id

),

person_problems as (

    select
        'person' as record_type,
        coalesce(resolved_persons.person_id, persons.person_id) as record_id,
        case
            when persons.person_id is null then 'resolved person missing from dim_persons'
            when resolved_persons.person_id is null then 'dim_persons person not in int_person_records'
            else 'person repeated in dim_persons'
        end as problem
    from resolved_persons
    full outer join persons
        on resolved_persons.person_id = persons.person_id
    where
        resolved_persons.person_id is null
        or persons.person_id is null
        or persons.person_rows <> 1

)

select
    record_type,
    record_id,
    problem
from record_problems

union all

select
    record_type,
    record_id,
    problem
from person_problems
