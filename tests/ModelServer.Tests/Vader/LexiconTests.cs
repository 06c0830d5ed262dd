using Serverless.Local.Installers;
using Serverless.ModelServer.Vader;

namespace Serverless.ModelServer.Tests.Vader;

public sealed class LexiconTests
{
    [Fact]
    public void Parse_reads_token_and_mean_and_ignores_the_other_columns()
    {
        var lexicon = Lexicon.Parse(new StringReader("good\t1.9\t0.9434\t[2, 1]\n\n:D\t2.3\t1.1\t[4]\nbad\t-2.5\n"));

        Assert.Equal(3, lexicon.Count);
        Assert.True(lexicon.TryGetValence("good", out var good));
        Assert.Equal(1.9, good);
        Assert.True(lexicon.TryGetValence("bad", out var bad));
        Assert.Equal(-2.5, bad);
        Assert.True(lexicon.Contains(":D"));
        Assert.False(lexicon.Contains(":d")); // stored as written; lookups are exact
    }

    [Fact]
    public void A_token_listed_twice_keeps_its_last_value()
    {
        var lexicon = Lexicon.Parse(new StringReader("ok\t1.6\nok\t1.2\n"));

        Assert.True(lexicon.TryGetValence("ok", out var ok));
        Assert.Equal(1.2, ok);
    }

    [Theory]
    [InlineData("good\n")]
    [InlineData("good\tvery\t1\n")]
    [InlineData("\n\n")]
    public void Parse_rejects_malformed_files(string text)
    {
        Assert.Throws<FormatException>(() => Lexicon.Parse(new StringReader(text)));
    }

    [Fact]
    public void Load_names_a_missing_file()
    {
        var missing = Path.Combine(Path.GetTempPath(), $"no-such-lexicon-{Guid.NewGuid():N}.txt");

        var error = Assert.Throws<FileNotFoundException>(() => Lexicon.Load(missing));
        Assert.Contains(missing, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_pinned_package_installs_with_its_license_and_loads()
    {
        var path = await TestLexicon.PathAsync();

        Assert.True(TestLexicon.Installer.IsVaderLexiconInstalled);
        Assert.Equal(TestLexicon.Installer.VaderLexiconPath, path);
        Assert.True(File.Exists(Path.Combine(Path.GetDirectoryName(path)!, "LICENSE")));
        Assert.True(File.Exists(Path.Combine(Path.GetDirectoryName(path)!, "NOTICE")));
        var lexicon = Lexicon.Load(path);
        Assert.InRange(lexicon.Count, 7000, 8000);
        // A second call finds the install and does not run npm again.
        var again = new EmulatorInstaller(TestLexicon.EmulatorsDirectory, line => Assert.Fail("installed again: " + line));
        Assert.Equal(path, await again.InstallVaderLexiconAsync());
    }
}
