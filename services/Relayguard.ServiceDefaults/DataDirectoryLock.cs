using System.Globalization;

namespace Relayguard.ServiceDefaults;

/// <summary>
/// An exclusive lock on a data folder, held while the process runs, so a second <c>relayguard run</c> or gateway does
/// not start on the same folder. Two embedded processes on one folder each have their own in-memory bus, so a block
/// made in one never reaches the other. Two gateways would publish one outbox twice and share one block queue.
/// The lock is the operating system's lock on <c>relayguard.lock</c> in the folder, released when the process ends,
/// even by SIGKILL. Detector replicas share one folder on purpose and take no lock.
/// </summary>
public sealed class DataDirectoryLock : IDisposable
{
    public const string FileName = "relayguard.lock";

    /// <summary>The file with the id of the process that holds the lock, for the message of the one that cannot take it.</summary>
    public const string PidFileName = "relayguard.pid";

    private readonly FileStream _file;

    private DataDirectoryLock(FileStream file) => _file = file;

    /// <summary>
    /// Takes the lock of <paramref name="directory"/>, or returns null when another process holds it, with that
    /// process's id in <paramref name="holder"/> when it could be read.
    /// </summary>
    /// <exception cref="IOException">The lock file could not be opened or written for another reason, such as a full disk.</exception>
    /// <exception cref="UnauthorizedAccessException">This user may not open or write the lock file.</exception>
    public static DataDirectoryLock? TryAcquire(string directory, out int? holder)
    {
        holder = null;
        var pidPath = Path.Combine(directory, PidFileName);
        FileStream file;
        try
        {
            // FileShare.None takes an exclusive advisory lock (flock) on Linux, which a second process cannot take.
            // Any other open of the file takes a shared one, so the holder's id goes to a file of its own.
            file = new FileStream(Path.Combine(directory, FileName), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException exception) when (IsHeldElsewhere(exception))
        {
            holder = ReadHolder(pidPath);
            return null;
        }

        try
        {
            File.WriteAllText(pidPath, Environment.ProcessId.ToString(CultureInfo.InvariantCulture));
        }
        catch
        {
            file.Dispose();
            throw;
        }

        return new DataDirectoryLock(file);
    }

    public void Dispose() => _file.Dispose();

    /// <summary>
    /// Takes the lock of <paramref name="directory"/>, or returns the one-line reason it failed and the exit code to
    /// end with: 4 when another process holds the lock, 2 when the lock file cannot be opened or written.
    /// </summary>
    /// <param name="setting">The setting that named the folder, for the message, for example <c>Data:Directory (--data)</c>.</param>
    /// <param name="holderName">The other process, for example <c>another gateway</c>.</param>
    /// <param name="fix">What to do when the folder is in use.</param>
    public static (DataDirectoryLock? Lock, string? Problem, int ExitCode) Acquire(string directory, string setting, string holderName, string fix)
    {
        try
        {
            if (TryAcquire(directory, out var holder) is { } acquired)
            {
                return (acquired, null, 0);
            }

            var pid = holder is { } id ? $" (pid {id})" : string.Empty;
            return (null, $"{setting} '{directory}' is in use by {holderName}{pid}. {fix}", 4);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            return (null, $"{setting} '{directory}' could not be locked: {exception.Message} Check that this user may write the folder.", 2);
        }
    }

    /// <summary>
    /// True for the failure of a lock that another open file holds: .NET reports it as an IOException whose HResult is
    /// the errno EWOULDBLOCK (11) on Linux, or ERROR_SHARING_VIOLATION on Windows.
    /// </summary>
    private static bool IsHeldElsewhere(IOException exception) =>
        exception.GetType() == typeof(IOException) && exception.HResult is 11 or unchecked((int)0x80070020);

    private static int? ReadHolder(string path)
    {
        try
        {
            return int.TryParse(File.ReadAllText(path).Trim(), CultureInfo.InvariantCulture, out var pid) ? pid : null;
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
