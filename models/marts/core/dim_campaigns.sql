with

campaigns as (

    select * from {{ ref('stg_crm__campaigns') }}

),

final as (

    select
        campaign_id,
        campaign_name,
        channel,
        campaign_type,
        audience,
        is_automated,
        parent_campaign_id,
        start_date,
        end_date,
        budgeted_cost,
        actual_cost
    from campaigns

)

select * from final
