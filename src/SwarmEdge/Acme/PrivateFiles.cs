namespace SwarmEdge.Acme;

/// <summary>Files that hold private keys: readable by this process's user only.</summary>
internal static class PrivateFiles
{
    public static void CreateDirectory(string path)
    {
        Directory.CreateDirectory(path);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
    }

    public static void Write(string path, string content)
    {
        // Inside a directory only this user can enter, so the moment before the mode is set exposes nothing.
        File.WriteAllText(path, content);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
    }
}
