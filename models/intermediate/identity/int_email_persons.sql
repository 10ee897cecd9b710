with

person_records as (

    select * from {{ ref('int_person_records') }}

),

-- records sharing an email always share a person (the email is their identity key): one row per email
final as (

    select
        email,
        min(person_id) as person_id
    from person_records
    where email is not null
    group by email

)

select * from final
