"""Who is calling: tokens, the WeChat code exchange, staff SMS codes and the authorizer."""
