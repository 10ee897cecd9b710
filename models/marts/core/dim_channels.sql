with

channel_mapping as (

    select * from {{ ref('channel_mapping') }}

),

channels as (

    select channel from channel_mapping
    union
    select 'other' as channel

),

final as (

    select
        channel,
        coalesce(channel in ('paid_search', 'paid_social', 'display'), false) as is_paid,
        -- paid_search -> Paid search
        {{ dbt.concat(["upper(substring(channel, 1, 1))", "replace(substring(channel, 2), '_', ' ')"]) }}
            as channel_label
    from channels
    where channel is not null

)

select * from final
