with

responses as (

    select * from {{ ref('stg_survey__nps_responses') }}

),

email_persons as (

    select * from {{ ref('int_email_persons') }}

),

accounts as (

    select * from {{ ref('dim_accounts') }}

),

final as (

    select
        responses.response_id,
        responses.account_id,
        email_persons.person_id,
        responses.score,
        case
            when responses.score >= 9 then 'promoter'
            when responses.score >= 7 then 'passive'
            when responses.score >= 0 then 'detractor'
        end as nps_category,
        coalesce(responses.score >= 9, false) as is_promoter,
        coalesce(responses.score <= 6, false) as is_detractor,
        responses.comment,
        responses.responded_at,
        {{ month_start('responses.responded_at') }} as response_month,
        responses.survey_name,
        coalesce(accounts.industry, 'unknown') as industry,
        coalesce(accounts.size_band, 'unknown') as size_band
    from responses
    left join email_persons
        on responses.email = email_persons.email
    left join accounts
        on responses.account_id = accounts.account_id

)

select * from final
