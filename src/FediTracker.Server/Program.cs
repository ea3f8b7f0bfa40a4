using FediTracker.Server.Hosting;

try
{
    var app = TrackerHost.Build(args);
    await app.RunAsync();
    return 0;
}
catch (ConfigurationException ex)
{
    await Console.Error.WriteLineAsync(ex.Message);
    return 2;
}
