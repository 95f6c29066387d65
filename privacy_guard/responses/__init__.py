"""OpenAI's Responses API (`/v1/responses`): what is read in a request, what is restored in a
reply and its stream events, and the translation to chat completions for targets that do not
speak it. One concern per module:

- `request.py`: strict validation and the text segments of a request body;
- `reply.py`: the reply texts of a response object, and streamed events restored in order;
- `translate.py`: a Responses request as a chat-completions request, and the chat reply (or its
  chunks) back as a response object (or Responses stream events).

Nothing here imports a web framework or litellm.
"""
