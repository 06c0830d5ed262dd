using System.Globalization;
using System.Text;
using System.Text.Json;
using Amazon.DynamoDBv2.Model;
using static Serverless.EndToEnd.Tests.ProcessUploadFixture;

namespace Serverless.EndToEnd.Tests;

/// <summary>A CSV whose rows VADER labels without doubt: 10 positive, 7 negative, 3 neutral, and one empty row.</summary>
internal static class SentimentSample
{
    public static readonly (string Text, string Label)[] Rows =
    [
        ("I love this product, it is wonderful!", "POSITIVE"),
        ("This is terrible and I hate it.", "NEGATIVE"),
        ("The box is on the table.", "NEUTRAL"),
        ("What a great, happy day.", "POSITIVE"),
        ("The service was awful and the food was disgusting.", "NEGATIVE"),
        ("Excellent quality, I am very pleased.", "POSITIVE"),
        ("The meeting is at ten.", "NEUTRAL"),
        ("I am so sad and angry about this.", "NEGATIVE"),
        ("Amazing work, thank you so much!", "POSITIVE"),
        ("Best purchase ever, I love it.", "POSITIVE"),
        ("This is the worst, a horrible experience.", "NEGATIVE"),
        ("The train leaves from platform four.", "NEUTRAL"),
        ("Beautiful design and a fantastic price.", "POSITIVE"),
        ("I feel terrible, everything failed.", "NEGATIVE"),
        ("Good job, nice and friendly staff.", "POSITIVE"),
        ("Such a boring, ugly and useless thing.", "NEGATIVE"),
        ("Wonderful, I enjoyed every minute.", "POSITIVE"),
        ("I hate waiting, this is a disaster.", "NEGATIVE"),
        ("Perfect, happy with it.", "POSITIVE"),
        ("I really like it, very nice and helpful.", "POSITIVE"),
    ];

    /// <summary>A header with the text in the second column, quoted fields, CRLF, and an empty row 4.</summary>
    public static string Csv
    {
        get
        {
            var csv = new StringBuilder("id,text,lang\r\n");
            for (var i = 0; i < Rows.Length; i++)
            {
                if (i == 3) csv.Append("empty,,en\r\n");
                csv.Append(i).Append(",\"").Append(Rows[i].Text.Replace("\"", "\"\"")).Append("\",en\r\n");
            }
            return csv.ToString();
        }
    }

    /// <summary>
    /// A CSV of <paramref name="rows"/> of the texts above, each made unique by its number (about 100 bytes of result a row).
    /// </summary>
    public static byte[] LongCsv(int rows)
    {
        var file = new StringBuilder("id,text\n");
        for (var i = 0; i < rows; i++) file.Append(i).Append(',').Append(Rows[i % Rows.Length].Text).Append(" (").Append(i).Append(")\n");
        return Encoding.UTF8.GetBytes(file.ToString());
    }

    /// <summary>The counts of <see cref="Csv"/>, processed.</summary>
    public static void AssertCounts(Dictionary<string, AttributeValue> item)
    {
        Assert.Equal("COMPLETED", item["status"].S);
        Assert.Equal(Rows.Length + 1, Number(item, "rowsTotal"));
        Assert.Equal(Rows.Length + 1, Number(item, "rowsProcessed"));
        Assert.Equal(1, Number(item, "rowsFailed"));
        Assert.Equal(new Dictionary<string, long> { ["NEGATIVE"] = 7, ["NEUTRAL"] = 3, ["POSITIVE"] = 10 },
            item["labelCounts"].M.ToDictionary(pair => pair.Key, pair => long.Parse(pair.Value.N, CultureInfo.InvariantCulture)));
    }

    /// <summary>The result lines of <see cref="Csv"/>.</summary>
    public static void AssertResult(string[] lines)
    {
        Assert.Equal(Rows.Length + 1, lines.Length);
        for (var i = 0; i < lines.Length; i++)
        {
            using var line = JsonDocument.Parse(lines[i]);
            var root = line.RootElement;
            Assert.Equal(i + 1, root.GetProperty("row").GetInt32());
            if (i == 3)
            {
                Assert.Equal("""{"row":4,"error":"The row is empty: there is no text to score."}""", lines[i]);
                continue;
            }
            var (text, label) = Rows[i < 3 ? i : i - 1];
            Assert.Equal(text, root.GetProperty("text").GetString());
            Assert.Equal(label, root.GetProperty("label").GetString());
            Assert.InRange(root.GetProperty("score").GetDouble(), 0.5, 1);
        }
    }
}
