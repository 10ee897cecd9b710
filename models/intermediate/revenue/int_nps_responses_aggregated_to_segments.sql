with

nps_responses as (

    select * from {{ ref('fct_nps_responses') }}

),

-- a response is a row with a score: a blank score (null category) is no response, whatever it says
final as (

    select
        response_month as report_month,
        industry,
        size_band,
        survey_name,
        count(*) as responses,
        count(case when nps_category = 'promoter' then 1 end) as promoters,
        count(case when nps_category = 'passive' then 1 end) as passives,
        count(case when nps_category = 'detractor' then 1 end) as detractors,
        count(case when trim(comment) <> '' then 1 end) as comments  -- noqa: RF04
    from nps_responses
    where score is not null
    group by
        response_month,
        industry,
        size_band,
        survey_name

)

select * from final
