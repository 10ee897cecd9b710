with

source as (

    select * from {{ source('survey', 'nps_responses') }}

),

latest as (

    {{ latest_version('source', ['response_id']) }}

),

final as (

    select
        response_id as response_id,
        account_id as account_id,
        {{ normalize_email('email') }} as email,
        score as score,
        comment as comment,
        responded_at as responded_at,
        survey_name as survey_name,
        _batch_id as batch_id,
        _loaded_at as loaded_at
    from latest

)

select * from final
