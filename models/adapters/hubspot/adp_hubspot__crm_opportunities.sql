{{ config(enabled=adapter_enabled('hubspot', 'crm_opportunities')) }}
{%- set currency = var('lifecycle__hubspot_currency', none) -%}
{%- set campaign_column = var('lifecycle__hubspot_columns', {}).get('deal', {}).get('campaign_id') -%}
{#-
    crm_opportunities from HubSpot deals (docs/design/connectors.md §1.3.2). The stage gives the label and the
    closed/won flags; every stage is joined, deleted ones too (a deal in a deleted stage keeps its label:
    fivetran/dbt_hubspot_source#93). property_closedate of an open deal is the expected close date, so it is
    closed_at only once the stage is closed. Merged-away deals (merged_deal, var hubspot_merged_deal_enabled,
    default false as in Fivetran's package) are tombstoned (fivetran/dbt_hubspot#134). HubSpot has no standard
    deal-to-campaign field: var lifecycle__hubspot_columns: {deal: {campaign_id: <column>}} names one.
-#}
with

deal as (

    {{ connector_columns('hubspot', 'deal') }}

),

current_deal as (

    {{ connector_current('hubspot', 'deal', ['deal_id']) }}

),

pipeline_stage as (

    {{ connector_columns('hubspot', 'deal_pipeline_stage') }}

),

current_stage as (

    {{ connector_current('hubspot', 'pipeline_stage', ['stage_id']) }}

),

deal_company as (

    {{ connector_columns('hubspot', 'deal_company') }}

),

-- the primary company (association type 5, HubSpot-defined), else the smallest company id
deal_account as (

    select
        deal_id,
        company_id,
        _batch_id,
        row_number() over (
            partition by deal_id
            order by case when type_id = 5 then 0 else 1 end, company_id
        ) as account_rank
    from ({{ connector_events('deal_company', ['deal_id', 'company_id']) }}) as associations

),

deal_contact as (

    {{ connector_columns('hubspot', 'deal_contact') }}

),

contact_merges as (

    select * from {{ ref('adp_hubspot__contact_merges') }}

),

-- the smallest associated contact, as its canonical contact when it was merged away
deal_person as (

    select
        associations.deal_id,
        coalesce(contact_merges.canonical_contact_id, associations.contact_id) as contact_id,
        greatest(associations._batch_id, coalesce(contact_merges._batch_id, associations._batch_id)) as _batch_id,
        row_number() over (
            partition by associations.deal_id
            order by coalesce(contact_merges.canonical_contact_id, associations.contact_id)
        ) as contact_rank
    from ({{ connector_events('deal_contact', ['deal_id', 'contact_id']) }}) as associations
    left join contact_merges
        on associations.contact_id = contact_merges.loser_contact_id

),

merged_deal as (

    {{ connector_columns('hubspot', 'merged_deal', 'hubspot_merged_deal_enabled', false) }}

),

merged_away as (

    select distinct merged_deal_id
    from ({{ connector_events('merged_deal', ['deal_id', 'merged_deal_id']) }}) as merged

),

{%- if campaign_column %}

-- the override column is not a declared column: read from the latest row of each deal
deal_campaign as (

    select
        deal_id,
        campaign_id
    from (
        select
            cast(deal_id as {{ dbt.type_string() }}) as deal_id,
            cast({{ adapter.quote(campaign_column) }} as {{ dbt.type_string() }}) as campaign_id,
            row_number() over (
                partition by deal_id
                order by
                    {%- if lifecycle_input('hubspot') == 'loaded' %} _batch_id desc, _line_number desc
                    {%- else %} _fivetran_synced desc{% endif %}
            ) as campaign_rank
        from {{ source('hubspot', 'deal') }}
    ) as ranked
    where campaign_rank = 1

),
{%- endif %}

renamed as (

    select
        current_deal.deal_id as opportunity_id,
        deal_account.company_id as account_id,
        deal_person.contact_id,
        current_deal.property_dealtype as opportunity_type,
        current_stage.label as stage_name,
        current_deal.property_amount as amount,
        coalesce(
            current_deal.property_deal_currency_code, {{ "'" ~ currency ~ "'" if currency else 'null' }}
        ) as currency,
        current_deal.property_createdate as created_at,
        case when current_stage.is_closed then current_deal.property_closedate end as closed_at,
        coalesce(current_stage.is_closed, false) as is_closed,
        -- closed_won when set (deprecated in HubSpot: src_hubspot.yml of fivetran/dbt_hubspot), else probability 1
        coalesce(
            current_stage.is_closed and coalesce(current_stage.closed_won, current_stage.probability >= 1), false
        ) as is_won,
        current_deal.property_closed_lost_reason as loss_reason,
        current_deal.property_hs_analytics_source as lead_source,
        {{ 'deal_campaign.campaign_id' if campaign_column else 'cast(null as ' ~ dbt.type_string() ~ ')' }}
            as campaign_id,
        coalesce(current_deal.owner_id, current_deal.property_hubspot_owner_id) as owner_id,
        (
            {{ any_flag(['current_deal.is_deleted', 'current_deal._fivetran_deleted',
                         'current_deal._fivetran_tombstone']) }}
            or merged_away.merged_deal_id is not null
        ) as is_deleted,
        -- the output row changes when its stage, company or contact does: the newest of their batches
        greatest(
            current_deal._batch_id,
            coalesce(current_stage._batch_id, current_deal._batch_id),
            coalesce(deal_account._batch_id, current_deal._batch_id),
            coalesce(deal_person._batch_id, current_deal._batch_id)
        ) as _batch_id,
        current_deal._loaded_at,
        current_deal._file_name,
        current_deal._line_number
    from current_deal
    left join current_stage
        on current_deal.deal_pipeline_stage_id = current_stage.stage_id
    left join deal_account
        on current_deal.deal_id = deal_account.deal_id and deal_account.account_rank = 1
    left join deal_person
        on current_deal.deal_id = deal_person.deal_id and deal_person.contact_rank = 1
    left join merged_away
        on current_deal.deal_id = merged_away.merged_deal_id
    {%- if campaign_column %}
    left join deal_campaign
        on current_deal.deal_id = deal_campaign.deal_id
    {%- endif %}

)

{{ contract_select('crm', 'opportunities', 'renamed') }}
