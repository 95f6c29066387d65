"""Anthropic's Messages API (`/v1/messages`, `/v1/messages/count_tokens`): what a request holds
(`request.py`), restoring replies and stream events (`reply.py`), and translation to and from
OpenAI chat for targets that do not speak it (`translate.py`). No web framework, no litellm."""
