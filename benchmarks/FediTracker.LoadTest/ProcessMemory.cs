using System.Globalization;

namespace FediTracker.LoadTest;

/// <summary>Reads a process's resident set size from /proc/PID/status.</summary>
internal static class ProcessMemory
{
    /// <summary>VmRSS in kB, or -1 when the process or the line is not there.</summary>
    public static long ResidentKilobytes(int pid)
    {
        try
        {
            foreach (var line in File.ReadLines($"/proc/{pid}/status"))
            {
                if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                {
                    var digits = line.AsSpan(6).Trim();
                    var space = digits.IndexOf(' ');
                    return long.Parse(space < 0 ? digits : digits[..space], NumberStyles.Integer, CultureInfo.InvariantCulture);
                }
            }
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }

        return -1;
    }
}
