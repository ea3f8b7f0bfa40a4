using System.Globalization;

namespace FediTracker.LoadTest;

/// <summary>CPU time a process has used (user + system), from /proc/PID/stat, in seconds.</summary>
internal static class ProcessCpu
{
    // USER_HZ: 100 on every Linux this runs on (sysconf(_SC_CLK_TCK)).
    private const double TicksPerSecond = 100;

    /// <summary>User + system seconds of <paramref name="pid"/>, or -1 when it cannot be read.</summary>
    public static double Seconds(int pid)
    {
        try
        {
            var text = File.ReadAllText($"/proc/{pid}/stat");

            // The command name (field 2) may hold spaces; the fields after its closing parenthesis are plain.
            var fields = text[(text.LastIndexOf(')') + 2)..].Split(' ');

            // After the name: state is field 3, so utime (14) and stime (15) are at 11 and 12 here.
            var user = long.Parse(fields[11], CultureInfo.InvariantCulture);
            var system = long.Parse(fields[12], CultureInfo.InvariantCulture);
            return (user + system) / TicksPerSecond;
        }
        catch (Exception ex) when (ex is IOException or FormatException or IndexOutOfRangeException or UnauthorizedAccessException)
        {
            return -1;
        }
    }
}
