with

campaign_touches as (

    select * from {{ ref('int_campaign_touches_unioned') }}

),

email_sends as (

    select * from {{ ref('int_email_sends') }}

),

campaigns as (

    select * from {{ ref('dim_campaigns') }}

),

-- the programs: nurture = an automated prospect campaign, customer = any customer-audience campaign
programs as (

    select
        campaign_id,
        {{ program_type('audience', 'is_automated') }} as program_type
    from campaigns
    where {{ program_type('audience', 'is_automated') }} is not null

),

-- a person takes part as a campaign member (resolved membership) or as the recipient of a delivered email
participations as (

    select
        person_id,
        campaign_id,
        touched_at as participated_at,
        1 as is_member,
        0 as is_email_recipient
    from campaign_touches
    where touch_source = 'campaign_member'

    union all

    select
        person_id,
        campaign_id,
        sent_at as participated_at,
        0 as is_member,
        1 as is_email_recipient
    from email_sends
    where person_id is not null and is_delivered = true

),

final as (

    select
        participations.person_id,
        programs.campaign_id as program,  -- noqa: RF04
        programs.program_type,
        min(participations.participated_at) as first_participated_at,
        max(participations.is_member) = 1 as is_member,
        max(participations.is_email_recipient) = 1 as is_email_recipient
    from participations
    inner join programs
        on participations.campaign_id = programs.campaign_id
    group by
        participations.person_id,
        programs.campaign_id,
        programs.program_type

)

select * from final
