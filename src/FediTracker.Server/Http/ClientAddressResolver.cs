using System.Net;
using FediTracker.Protocol;

namespace FediTracker.Server.Http;

/// <summary>
/// Finds an HTTP client's address. Behind a trusted reverse proxy it is the rightmost <c>X-Forwarded-For</c> entry
/// that is not itself a trusted proxy (entries to its left can be forged by the client), else <c>X-Real-IP</c>;
/// from any other peer the headers are ignored and the socket address is used.
/// </summary>
internal sealed class ClientAddressResolver
{
    private readonly IPNetwork[] _trusted;

    public ClientAddressResolver(IReadOnlyList<IPNetwork> trusted)
    {
        _trusted = [.. trusted];
    }

    public bool TrustsProxies => _trusted.Length > 0;

    public static bool TryParseNetworks(string? value, List<IPNetwork> networks, List<string> errors)
    {
        ArgumentNullException.ThrowIfNull(networks);
        ArgumentNullException.ThrowIfNull(errors);
        var ok = true;
        foreach (var item in (value ?? string.Empty).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (IPNetwork.TryParse(item, out var network))
            {
                networks.Add(network);
            }
            else if (IPAddress.TryParse(item, out var address))
            {
                networks.Add(new IPNetwork(address, address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? 32 : 128));
            }
            else
            {
                errors.Add($"Network:TrustedProxies: '{item}' is neither an address nor a CIDR range.");
                ok = false;
            }
        }

        return ok;
    }

    /// <summary>The client's address, or null when the connection has none.</summary>
    public PeerAddress? Resolve(HttpContext context)
    {
        var remote = context.Connection.RemoteIpAddress;
        if (remote is null)
        {
            return null;
        }

        if (_trusted.Length == 0 || !IsTrusted(remote))
        {
            return PeerAddress.FromIPAddress(remote);
        }

        var headers = context.Request.Headers;
        var forwarded = headers["X-Forwarded-For"];
        for (var h = forwarded.Count - 1; h >= 0; h--)
        {
            var entries = (forwarded[h] ?? string.Empty).AsSpan();
            while (!entries.IsEmpty)
            {
                var comma = entries.LastIndexOf(',');
                var entry = entries[(comma + 1)..].Trim();
                entries = comma < 0 ? default : entries[..comma];
                if (!IPAddress.TryParse(entry, out var address))
                {
                    // An entry we cannot read: stop here rather than trust anything to its left.
                    return PeerAddress.FromIPAddress(remote);
                }

                if (!IsTrusted(address))
                {
                    return PeerAddress.FromIPAddress(address);
                }
            }
        }

        var real = headers["X-Real-IP"];
        return real.Count == 1 && IPAddress.TryParse(real[0], out var realAddress)
            ? PeerAddress.FromIPAddress(realAddress)
            : PeerAddress.FromIPAddress(remote);
    }

    private bool IsTrusted(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        foreach (var network in _trusted)
        {
            if (network.Contains(address))
            {
                return true;
            }
        }

        return false;
    }
}
