// The container health check: asks the tracker's admin listener for GET /health and exits 0 on "200 OK", 1 otherwise.
// A file-based .NET program, published into the image beside the server, so the check needs no shell and no curl
// (it works in the chiseled images too). Which address it asks:
//   1. the URL given as the first argument (e.g. http://127.0.0.1:6970/health), else
//   2. every endpoint of Listen__Admin (the same variable the tracker reads), wildcards turned into loopback, in order,
//      until one answers, else
//   3. http://127.0.0.1:6970/health, the tracker's default.
#:property PublishAot=false
#:property InvariantGlobalization=true
#:property UseAppHost=false

using System.Net;

var targets = new List<Uri>();
if (args.Length > 0)
{
    targets.Add(new Uri(args[0]));
}
else
{
    var admin = Environment.GetEnvironmentVariable("Listen__Admin");
    foreach (var item in (string.IsNullOrWhiteSpace(admin) ? "127.0.0.1:6970" : admin).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
    {
        if (!IPEndPoint.TryParse(item, out var endpoint) || endpoint.Port == 0)
        {
            continue;
        }

        // A wildcard listener answers on loopback of its own family; an IPv6 wildcard takes IPv6 only.
        if (endpoint.Address.Equals(IPAddress.Any))
        {
            endpoint.Address = IPAddress.Loopback;
        }
        else if (endpoint.Address.Equals(IPAddress.IPv6Any))
        {
            endpoint.Address = IPAddress.IPv6Loopback;
        }

        targets.Add(new Uri($"http://{endpoint}/health"));
    }
}

if (targets.Count == 0)
{
    Console.Error.WriteLine("healthcheck: no admin endpoint to ask (Listen__Admin has no usable address:port)");
    return 1;
}

using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(3) };
foreach (var target in targets)
{
    try
    {
        using var response = await http.GetAsync(target);
        var body = (await response.Content.ReadAsStringAsync()).Trim();
        Console.WriteLine($"{target}: {(int)response.StatusCode} {body}");
        return response.StatusCode == HttpStatusCode.OK ? 0 : 1;
    }
    catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
    {
        Console.Error.WriteLine($"{target}: {ex.Message}");
    }
}

return 1;
