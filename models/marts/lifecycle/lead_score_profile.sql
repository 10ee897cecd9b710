{#- bounds [0, 25, 50, 75, 100] -> bands [0,25) [25,50) [50,75) [75,100]; beyond the ends: first / last band -#}
{%- set bounds = var('score_bands', [0, 25, 50, 75, 100]) -%}
{%- set band_count = bounds | length - 1 -%}
{%- set mql_score_threshold = var('mql_score_threshold', 75) -%}

with

months as (

    select * from {{ ref('int_months') }}

),

lead_scores as (

    select * from {{ ref('int_new_leads_scored') }}

),

bands as (

    {% for band_number in range(1, band_count + 1) %}
        select
            {{ band_number }} as band_number,
            '{{ bounds[band_number - 1] }}-{{ bounds[band_number] }}' as score_band,
            {{ bounds[band_number - 1] }} as band_lower,
            {{ bounds[band_number] }} as band_upper
        {% if not loop.last %}union all{% endif %}
    {% endfor %}

),

banded_scores as (

    select
        cohort_month,
        score,
        case
            {%- for band_number in range(1, band_count) %}
                when score < {{ bounds[band_number] }} then {{ band_number }}
            {%- endfor %}
            else {{ band_count }}
        end as band_number
    from lead_scores

),

band_counts as (

    select
        cohort_month,
        band_number,
        count(*) as leads_in_band
    from banded_scores
    group by
        cohort_month,
        band_number

),

cohort_stats as (

    select
        cohort_month,
        count(*) as cohort_leads,
        avg(cast(score as {{ dbt.type_float() }})) as cohort_mean_score,
        {{ percentile('score', 0.25) }} as cohort_p25_score,
        {{ percentile('score', 0.5) }} as cohort_median_score,
        {{ percentile('score', 0.75) }} as cohort_p75_score,
        count(case when score >= {{ mql_score_threshold }} then 1 end) as leads_at_or_above_threshold
    from lead_scores
    group by cohort_month

),

final as (

    select
        months.report_month as cohort_month,
        bands.score_band,
        bands.band_lower,
        bands.band_upper,
        coalesce(band_counts.leads_in_band, 0) as leads_in_band,
        coalesce(cohort_stats.cohort_leads, 0) as cohort_leads,
        {{ safe_divide('coalesce(band_counts.leads_in_band, 0)', 'cohort_stats.cohort_leads') }} as band_share,
        cast(cohort_stats.cohort_mean_score as {{ dbt.type_numeric() }}) as cohort_mean_score,
        cast(cohort_stats.cohort_p25_score as {{ dbt.type_numeric() }}) as cohort_p25_score,
        cast(cohort_stats.cohort_median_score as {{ dbt.type_numeric() }}) as cohort_median_score,
        cast(cohort_stats.cohort_p75_score as {{ dbt.type_numeric() }}) as cohort_p75_score,
        {{ safe_divide('cohort_stats.leads_at_or_above_threshold', 'cohort_stats.cohort_leads') }}
            as cohort_share_at_or_above_mql_threshold
    from months
    cross join bands
    left join band_counts
        on
            months.report_month = band_counts.cohort_month
            and bands.band_number = band_counts.band_number
    left join cohort_stats
        on months.report_month = cohort_stats.cohort_month

)

select * from final
