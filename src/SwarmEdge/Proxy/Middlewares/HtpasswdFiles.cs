using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Primitives;

namespace SwarmEdge.Proxy.Middlewares;

/// <summary>
/// The users files basic-auth middlewares name (htpasswd, bcrypt entries only), read when first needed and again
/// when the file changes (checked at most once a second). bcrypt is slow on purpose (tens of milliseconds a check):
/// a password that passed is remembered by a keyed hash for a while, so a logged-in client pays once, and at most
/// as many checks run at once as there are cores, so a flood of guesses queues instead of taking the proxy's CPU.
/// </summary>
internal sealed partial class HtpasswdFiles(TimeProvider time, ILogger<HtpasswdFiles> logger)
{
    public enum Result
    {
        Allowed,
        Denied,
        Unavailable,
    }

    private static readonly TimeSpan Recheck = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan Remembered = TimeSpan.FromMinutes(5);
    private const int MaxRemembered = 10_000;
    private readonly ConcurrentDictionary<string, UsersFile> _files = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, (string Hash, DateTimeOffset Until)> _passed = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _checks = new(Environment.ProcessorCount);
    private readonly byte[] _key = RandomNumberGenerator.GetBytes(32);

    public async Task<Result> CheckAsync(string path, StringValues authorization)
    {
        if (Users(path) is not { } users)
        {
            return Result.Unavailable;
        }

        if (Credentials(authorization) is not var (user, password) || !users.TryGetValue(user, out var hash))
        {
            return Result.Denied;
        }

        var now = time.GetUtcNow();
        var remembered = Convert.ToHexString(HMACSHA256.HashData(_key, Encoding.UTF8.GetBytes($"{path}\n{user}\n{password}")));
        if (_passed.TryGetValue(remembered, out var passed) && passed.Hash == hash && passed.Until > now)
        {
            return Result.Allowed;
        }

        await _checks.WaitAsync();
        bool verified;
        try
        {
            verified = BCrypt.Net.BCrypt.Verify(password, hash);
        }
        catch (BCrypt.Net.SaltParseException)
        {
            verified = false;
        }
        finally
        {
            _checks.Release();
        }

        if (!verified)
        {
            return Result.Denied;
        }

        if (_passed.Count >= MaxRemembered)
        {
            _passed.Clear();
        }

        _passed[remembered] = (hash, now + Remembered);
        return Result.Allowed;
    }

    private static (string User, string Password)? Credentials(StringValues authorization)
    {
        var value = authorization.Count == 1 ? authorization[0] : null;
        if (value is null || value.Length > 4096 || !value.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        Span<byte> decoded = stackalloc byte[value.Length];
        if (!Convert.TryFromBase64String(value[6..].Trim(), decoded, out var length))
        {
            return null;
        }

        var text = Encoding.UTF8.GetString(decoded[..length]);
        var colon = text.IndexOf(':');
        return colon > 0 ? (text[..colon], text[(colon + 1)..]) : null;
    }

    private IReadOnlyDictionary<string, string>? Users(string path)
    {
        var now = time.GetUtcNow();
        var file = _files.GetOrAdd(path, static p => new UsersFile(p));
        lock (file)
        {
            if (file.CheckedAt + Recheck > now && file.Users is not null)
            {
                return file.Users;
            }

            file.CheckedAt = now;
            try
            {
                var info = new FileInfo(path);
                var stamp = (info.LastWriteTimeUtc, info.Length);
                if (file.Users is not null && stamp == file.Stamp)
                {
                    return file.Users;
                }

                var users = new Dictionary<string, string>(StringComparer.Ordinal);
                foreach (var line in File.ReadLines(path).Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith('#')))
                {
                    var colon = line.IndexOf(':');
                    var hash = colon > 0 ? line[(colon + 1)..] : "";
                    if (hash.StartsWith("$2a$", StringComparison.Ordinal) || hash.StartsWith("$2b$", StringComparison.Ordinal) || hash.StartsWith("$2y$", StringComparison.Ordinal))
                    {
                        users[line[..colon]] = hash;
                    }
                    else
                    {
                        Log.NotBcrypt(logger, path, colon > 0 ? line[..colon] : "(a line without a user)");
                    }
                }

                file.Users = users;
                file.Stamp = stamp;
                Log.Read(logger, path, users.Count);
                return users;
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                if (file.Users is null)
                {
                    Log.Unreadable(logger, path, ex.Message);
                }

                // A file that was read once and cannot be read now keeps its last content: a redeploy that briefly
                // removes the secret must not lock everyone out.
                return file.Users;
            }
        }
    }

    private sealed class UsersFile(string path)
    {
        public string Path { get; } = path;

        public DateTimeOffset CheckedAt { get; set; }

        public (DateTime, long) Stamp { get; set; }

        public Dictionary<string, string>? Users { get; set; }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 1110, Level = LogLevel.Information, Message = "Users file {Path} read: {Users} users")]
        public static partial void Read(ILogger logger, string path, int users);

        [LoggerMessage(EventId = 1111, Level = LogLevel.Warning, Message = "Users file {Path}: the entry of {User} is not a bcrypt hash (htpasswd -B) and is ignored")]
        public static partial void NotBcrypt(ILogger logger, string path, string user);

        [LoggerMessage(EventId = 1112, Level = LogLevel.Error, Message = "Users file {Path} cannot be read ({Error}): its routes answer 503 until it can")]
        public static partial void Unreadable(ILogger logger, string path, string error);
    }
}
