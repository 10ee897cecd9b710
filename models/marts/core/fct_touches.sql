with

touches as (

    select * from {{ ref('int_touches_unioned') }}

),

campaigns as (

    select * from {{ ref('dim_campaigns') }}

),

final as (

    select
        touches.touch_key,
        touches.person_id,
        touches.touched_at,
        {{ month_start('touches.touched_at') }} as touch_month,
        touches.touch_kind,
        touches.touch_source,
        touches.source_id,
        touches.campaign_id,
        -- the campaign's channel, else the activity's own (a web visit's, 'email' for a click), else 'other'
        coalesce(campaigns.channel, touches.source_channel, 'other') as channel
    from touches
    left join campaigns
        on touches.campaign_id = campaigns.campaign_id

)

select * from final
