-- What do customers say, segment by segment? The latest verbatim comments of NPS respondents per industry,
-- size band and category (detractors first), up to var `verbatims_per_segment` (default 5) each, with the
-- segment's NPS over the same months (from var `analysis_since`, default: all data) for context.
-- Run: dbt compile --select nps_verbatims_by_segment, then the SQL in target/compiled/ in a SQL client.
with

responses as (

    select * from {{ ref('fct_nps_responses') }}
    where
        nps_category is not null
        and response_month >= cast('{{ var("analysis_since", "1900-01-01") }}' as date)

),

in_segments as (

    select
        industry,
        size_band,
        nps_category,
        score,
        comment,
        responded_at,
        survey_name,
        count(*) over (partition by industry, size_band) as segment_responses,
        sum(case when is_promoter then 1 else 0 end) over (partition by industry, size_band) as segment_promoters,
        sum(case when is_detractor then 1 else 0 end) over (partition by industry, size_band) as segment_detractors,
        row_number() over (
            partition by industry, size_band, nps_category, trim(comment) = ''
            order by responded_at desc, response_id asc
        ) as recency_rank
    from responses

),

final as (

    select
        industry,
        size_band,
        segment_responses,
        round(100 * (
            {{ safe_divide('segment_promoters', 'segment_responses') }}
            - {{ safe_divide('segment_detractors', 'segment_responses') }}
        ), 0) as segment_nps,
        nps_category,
        score,
        comment,
        responded_at,
        survey_name
    from in_segments
    where
        trim(comment) <> ''
        and recency_rank <= {{ var('verbatims_per_segment', 5) }}

)

select * from final
order by
    industry asc,
    size_band asc,
    case nps_category when 'detractor' then 1 when 'passive' then 2 else 3 end asc,
    responded_at desc
