using FediTracker.Federation.Http;

namespace FediTracker.Federation.Tests;

/// <summary>Builds <see cref="IncomingRequest"/>s the way the server adapter will: from a sent <see cref="HttpRequestMessage"/>.</summary>
internal static class Requests
{
    public static IncomingRequest FromMessage(HttpRequestMessage message, byte[] body, string? scheme = null)
    {
        var uri = message.RequestUri!;
        var headers = new HeaderCollection();
        foreach (var (name, values) in message.Headers.NonValidated)
        {
            foreach (var value in values)
            {
                headers.Add(name, value);
            }
        }

        if (message.Content is not null)
        {
            foreach (var (name, values) in message.Content.Headers.NonValidated)
            {
                foreach (var value in values)
                {
                    headers.Add(name, value);
                }
            }
        }

        return new IncomingRequest(message.Method.Method, scheme ?? uri.Scheme, uri.Authority, uri.PathAndQuery, headers, body);
    }

    /// <summary>A copy of <paramref name="request"/> with a different body.</summary>
    public static IncomingRequest WithBody(IncomingRequest request, byte[] body) =>
        new(request.Method, request.Scheme, request.Authority, request.RequestTarget, Copy(request.Headers), body);

    /// <summary>A copy of <paramref name="request"/> with one header replaced (or removed when <paramref name="value"/> is null).</summary>
    public static IncomingRequest WithHeader(IncomingRequest request, string name, string? value)
    {
        var headers = Copy(request.Headers);
        if (value is null)
        {
            headers.Remove(name);
        }
        else
        {
            headers.Set(name, value);
        }

        return new(request.Method, request.Scheme, request.Authority, request.RequestTarget, headers, request.Body);
    }

    public static IncomingRequest WithTarget(IncomingRequest request, string method, string requestTarget) =>
        new(method, request.Scheme, request.Authority, requestTarget, Copy(request.Headers), request.Body);

    public static HeaderCollection Copy(HeaderCollection source)
    {
        var headers = new HeaderCollection();
        foreach (var (name, values) in source)
        {
            foreach (var value in values)
            {
                headers.Add(name, value);
            }
        }

        return headers;
    }
}
