with

source as (

    select * from {{ source('survey', 'nps_responses') }}

),

latest as (

    {{ latest_version('source', ['response_id']) }}

),

final as (

    select
        response_id,
        account_id,
        {{ normalize_email('email') }} as email,
        score,
        comment,
        responded_at,
        survey_name
    from latest

)

select * from final
