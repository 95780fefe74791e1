{{ config(unique_key='task_id') }}

{{ stg_hubspot_engagement('tasks', 'task_id', {'task_type': 'hs_task_type', 'task_status': 'hs_task_status'}) }}
