"""Every vocabulary the embedded understander uses, in one place.

Phrases are lower-case and matched on word boundaries; longer phrases win over shorter.
Extend a table here and the understander, the state and the tests pick it up.
"""

from __future__ import annotations

# --- genres (catalogue names) and the words people use for them --------------------------------
GENRE_PHRASES: dict[str, list[str]] = {
    "Action": ["action", "action packed", "action-packed", "explosions", "shoot em up", "martial arts",
               "fight scenes", "fighting", "car chases", "explosions", "superhero", "superheroes"],
    "Adventure": ["adventure", "adventures", "adventurous", "quest", "treasure hunt", "swashbuckling"],
    "Animation": ["animation", "animated", "cartoon", "cartoons", "anime", "pixar", "stop motion"],
    "Children": ["children's", "childrens", "kids movie", "kids movies", "kids film", "kid movie",
                 "family film"],
    "Comedy": ["comedy", "comedies", "comedic", "funny", "rom com", "rom-com", "romcom", "romcoms", "rom-coms", "hilarious", "laugh", "laughs", "humor",
               "humour", "humorous", "silly", "goofy", "slapstick", "spoof", "parody"],
    "Crime": ["crime", "heist", "heists", "gangster", "gangsters", "mafia", "mob movie", "detective",
              "cops", "police", "robbery", "criminal", "criminals"],
    "Documentary": ["documentary", "documentaries", "docu", "docs", "non-fiction", "nonfiction"],
    "Drama": ["drama", "dramas", "dramatic", "tearjerker", "tear jerker", "emotional"],
    "Fantasy": ["fantasy", "magic", "magical", "wizard", "wizards", "dragons", "fairy tale", "fairytale",
                "sword and sorcery"],
    "Film-Noir": ["noir", "film noir", "film-noir"],
    "Horror": ["horror", "horrors", "scary", "scare", "scares", "frightening", "terrifying", "creepy",
               "spooky", "slasher", "slashers", "scarier", "scariest", "zombie", "zombies", "haunted", "ghost",
               "ghosts", "monster movie", "jump scares", "nightmares", "too scary"],
    "Musical": ["musical", "musicals", "singing", "sing along", "sing-along"],
    "Mystery": ["mystery", "mysteries", "whodunit", "whodunnit", "puzzle", "twisty", "plot twist"],
    "Romance": ["romance", "romances", "romantic", "rom com", "rom-com", "romcom", "love story",
                "love stories", "chick flick"],
    "Sci-Fi": ["sci-fi", "sci fi", "scifi", "science fiction", "space", "aliens", "alien", "robots",
               "futuristic", "time travel", "dystopian", "cyberpunk"],
    "Thriller": ["thriller", "thrillers", "suspense", "suspenseful", "thrilling", "edge of my seat",
                 "edge-of-your-seat", "tense", "psychological"],
    "War": ["war", "war movie", "war movies", "wwii", "ww2", "world war", "battle", "battles", "military"],
    "Western": ["western", "westerns", "cowboy", "cowboys", "wild west"],
}

# --- scene ---------------------------------------------------------------------------------------
COMPANION_PHRASES: dict[str, list[str]] = {
    "kids": ["kids", "kid", "children", "child", "my son", "my daughter", "my sons", "my daughters",
             "son", "daughter", "teenage son", "teenage daughter", "teenager", "teenagers", "teens",
             "little ones", "the kiddos", "kiddos",
             "the little ones", "little ones", "toddler", "toddlers", "my boy", "my girl", "nephew",
             "niece", "grandkids", "grandchildren", "the twins"],
    "family": ["family", "my parents", "parents", "mom", "mum", "dad", "grandma", "grandpa",
               "in-laws", "in laws", "whole family", "relatives", "sister", "brother", "siblings",
               "cousin", "cousins", "aunt", "uncle", "my sis"],
    "partner": ["girlfriend", "boyfriend", "wife", "husband", "partner", "spouse", "fiance", "fiancee",
                "fiancé", "fiancée", "my man", "my lady",
                "my date", "significant other", "bf", "gf", "hubby", "my love"],
    "friends": ["friends", "friend", "buddies", "buddy", "mates", "pals", "the guys", "the girls",
                "the gang", "roommates", "roommate", "flatmates", "my crew", "the boys", "the lads",
                "girls night", "guys night", "boys night"],
    "colleagues": ["colleagues", "coworkers", "co-workers", "workmates", "team", "office", "my boss"],
    "alone": ["alone", "by myself", "on my own", "solo", "just me", "me time", "for myself"],
}
# When several match, the most constraining wins.
COMPANION_PRIORITY = ["kids", "family", "partner", "colleagues", "friends", "alone"]

OCCASION_PHRASES: dict[str, list[str]] = {
    "date_night": ["date night", "date", "anniversary", "valentine", "valentines", "valentine's",
                   "romantic evening"],
    "movie_night": ["movie night", "film night", "cinema night", "girls night", "guys night", "boys night",
                    "night in"],
    "party": ["party", "parties", "slumber party", "get together", "get-together"],
    "background": ["background", "while i work", "while cooking", "while i cook", "fall asleep to",
                   "falling asleep", "half watching", "on in the background"],
    "travel": ["flight", "plane", "airplane", "train ride", "road trip", "travel", "travelling",
               "traveling", "long haul", "airport", "hotel", "work trip", "business trip", "layover"],
    "holiday": ["christmas", "xmas", "holiday", "holidays", "thanksgiving", "halloween", "new year",
                "easter"],
    "rainy_day": ["rainy", "rain", "raining", "rainy day", "snowed in", "snow day", "cold day"],
    "sick_day": ["sick", "sick day", "home sick", "under the weather"],
}

MOOD_PHRASES: dict[str, list[str]] = {
    "funny": ["funny", "hilarious", "laugh", "laughs", "comedic", "lighthearted laugh", "silly", "goofy"],
    "light": ["light", "lighthearted", "light-hearted", "easy", "easy watching", "easygoing",
              "breezy", "cheerful", "not too heavy", "nothing heavy", "low key", "low-key"],
    "thrilling": ["thrilling", "exciting", "intense", "gripping", "adrenaline", "edge of my seat",
                  "suspenseful", "action packed", "action-packed"],
    "scary": ["scary", "frightening", "terrifying", "terrified", "creepy", "spooky", "chilling", "scarier",
              "scariest", "scared"],
    "romantic": ["romantic", "swoon", "love story"],
    "thoughtful": ["thoughtful", "thought provoking", "thought-provoking", "deep", "smart",
                   "intelligent", "cerebral", "philosophical", "meaningful", "mind bending",
                   "mind-bending"],
    "sad": ["sad", "cry", "tearjerker", "tear jerker", "melancholy", "depressing", "emotional"],
    "uplifting": ["uplifting", "feel good", "feel-good", "inspiring", "inspirational", "heartwarming",
                  "heart warming", "wholesome", "happy", "hopeful", "cheer me up", "cheer up"],
    "relaxing": ["relaxing", "relax", "chill", "calm", "cozy", "cosy", "comfort", "comforting",
                 "unwind", "mellow"],
    "dark": ["dark", "gritty", "bleak", "disturbing", "twisted", "edgy"],
    "epic": ["epic", "grand", "sweeping", "spectacle"],
}

TIME_OF_DAY_PHRASES: dict[str, list[str]] = {
    "evening": ["tonight", "this evening", "evening", "after dinner", "friday night", "saturday night",
                "quiet night", "at night"],
    "afternoon": ["this afternoon", "afternoon", "after lunch"],
    "morning": ["this morning", "morning", "breakfast"],
    "late_night": ["late night", "late-night", "late at night", "midnight", "bedtime", "can't sleep",
                   "cant sleep", "1am", "2am", "3am", "insomnia"],
    "weekend": ["weekend", "saturday", "sunday", "lazy sunday"],
}
# When several match, the most specific wins ("sunday afternoon" is an afternoon).
TIME_OF_DAY_PRIORITY = ["late_night", "morning", "afternoon", "evening", "weekend"]

# Soft genre leanings of a mood / companion / occasion (weights added to genre preferences).
MOOD_GENRES: dict[str, dict[str, float]] = {
    "funny": {"Comedy": 1.0},
    "light": {"Comedy": 0.6, "Animation": 0.3, "Romance": 0.2, "Adventure": 0.2, "Horror": -0.8,
              "War": -0.6, "Film-Noir": -0.4, "Crime": -0.3, "Thriller": -0.3},
    "thrilling": {"Thriller": 0.8, "Action": 0.6, "Mystery": 0.3},
    "scary": {"Horror": 1.0, "Thriller": 0.4},
    "romantic": {"Romance": 1.0, "Comedy": 0.2},
    "thoughtful": {"Drama": 0.6, "Documentary": 0.4, "Sci-Fi": 0.2, "Mystery": 0.2},
    "sad": {"Drama": 0.8, "Romance": 0.3},
    "uplifting": {"Comedy": 0.4, "Drama": 0.3, "Musical": 0.3, "Children": 0.2, "Horror": -0.8},
    "relaxing": {"Comedy": 0.4, "Animation": 0.3, "Documentary": 0.2, "Romance": 0.2, "Horror": -0.8,
                 "Thriller": -0.4},
    "dark": {"Crime": 0.5, "Thriller": 0.5, "Film-Noir": 0.4, "Drama": 0.2},
    "epic": {"Adventure": 0.6, "War": 0.3, "Fantasy": 0.4, "Action": 0.3},
}
COMPANION_GENRES: dict[str, dict[str, float]] = {
    "kids": {"Children": 1.0, "Animation": 0.8, "Comedy": 0.3, "Adventure": 0.3, "Fantasy": 0.2,
             "Drama": -0.3, "Crime": -0.6, "Thriller": -0.6, "War": -0.6},
    "family": {"Children": 0.5, "Animation": 0.5, "Comedy": 0.4, "Adventure": 0.4, "Crime": -0.3},
    "partner": {"Romance": 0.5, "Comedy": 0.3, "Drama": 0.2},
    "friends": {"Comedy": 0.4, "Action": 0.3, "Horror": 0.1, "Adventure": 0.2},
    "colleagues": {"Comedy": 0.4, "Documentary": 0.2, "Horror": -0.4},
    "alone": {},
}
OCCASION_GENRES: dict[str, dict[str, float]] = {
    "date_night": {"Romance": 0.6, "Comedy": 0.5, "Horror": -0.3},
    "movie_night": {},
    "party": {"Comedy": 0.6, "Action": 0.3},
    "background": {"Comedy": 0.4, "Documentary": 0.3, "Animation": 0.2},
    "travel": {"Comedy": 0.3, "Adventure": 0.3},
    "holiday": {"Children": 0.3, "Comedy": 0.3, "Fantasy": 0.2},
    "rainy_day": {"Drama": 0.2, "Comedy": 0.2, "Animation": 0.2},
    "sick_day": {"Comedy": 0.4, "Animation": 0.3},
}
# Phrases that ask for family-safe items whoever is watching.
FAMILY_SAFE_PHRASES = ["family friendly", "family-friendly", "kid friendly", "kid-friendly",
                       "kids friendly", "child friendly", "suitable for kids", "appropriate for kids",
                       "safe for kids", "ok for kids", "okay for kids", "clean", "wholesome"]
# Companions that imply hard, family-safe constraints.
FAMILY_SAFE_COMPANIONS = {"kids"}
FAMILY_SAFE_MPAA_CEILING = "PG"
FAMILY_SAFE_EXCLUDED_GENRES = ["Horror"]

# --- negation, sentiment, intents -------------------------------------------------------------
NEGATION_CUES = ["anything but", "anything except", "except", "no", "not", "nothing", "without",
                 "never", "don't", "dont", "do not", "doesn't", "doesnt", "isn't", "isnt", "aren't",
                 "arent", "won't", "wont", "hates", "dislikes", "less", "too", "hate", "hated", "dislike",
                 "disliked", "avoid", "skip", "none", "can't stand", "cant stand", "not a fan of",
                 "not into", "tired of", "sick of", "rather not", "no more", "nor", "neither",
                 "other than", "instead of", "not in the mood for", "can't handle", "too much"]
SCOPE_BREAKERS = {"but", ".", ",", ";", "!", "?", "and", "though", "however", "instead", "just", "rather"}
CLAUSE_BREAKS = {".", ",", "!", "?", ";", "but", "though", "however", "although"}

LIKE_CUES = ["like", "liked", "love", "loved", "enjoy", "enjoyed", "fan of", "favorite", "favourite",
             "similar to", "something like", "more like", "in the vein of", "along the lines of",
             "adore", "adored", "dig", "into"]
# dislike and aversion cues are patterns, in agent/understanding/verdicts.py
SEEN_CUES = ["seen", "saw", "watched", "already seen", "we've seen", "i've seen", "have seen",
             "seen it", "watched it", "already watched"]

GREETINGS = ["hi", "hello", "hey", "hiya", "good morning", "good evening", "howdy", "yo", "greetings"]
THANKS = ["thanks", "thank you", "thx", "cheers", "great thanks", "perfect", "awesome"]
RESET_PHRASES = ["start over", "start again", "reset", "forget everything", "forget all that",
                 "clear everything", "new search", "begin again", "from scratch"]
ACCEPT_PHRASES = ["i'll watch", "ill watch", "i will watch", "we'll watch", "well watch", "let's watch",
                  "lets watch", "sounds good", "sounds great", "that one", "i'll take", "we'll take",
                  "going with", "go with", "perfect", "that works", "we'll go with", "i'll go with",
                  "watching it", "great choice", "love it", "good pick", "i'll try", "let's do", "lets do",
                  "it is", "sold", "putting on", "put on", "give it a try", "give it a go", "looks good",
                  "i'll go for", "we'll try", "we'll give", "that's the one", "thats the one", "deal",
                  "check it out", "check that out", "check them out", "i'll check", "i will check", "will try",
                  "have to see", "have to watch", "have to try", "have to rent", "want to see it",
                  "like to see it", "add it to my list", "on my list", "i will try", "i'll give",
                  "sound good", "sound great", "sounds amazing", "sound amazing", "sounds interesting",
                  "sound interesting", "keep an eye out", "look for it", "look for them", "look it up",
                  "look them up", "look into it", "look into them", "want to see that", "want to see them",
                  "want to watch that", "going to watch", "gonna watch", "will watch"]
REJECT_PHRASES = ["seen it", "seen that", "seen them", "not that one", "not those", "already seen",
                  "watched it", "watched that", "nah", "none of those", "none of these",
                  "don't like those", "not interested", "something else", "other options",
                  "something different", "no thanks", "not for me", "nope", "meh", "none of those",
                  "every one of those", "all of those", "seen all", "seen those", "watched those",
                  "don't appeal", "doesn't appeal", "not feeling", "pass"]
REQUEST_CUES = ["recommend", "suggest", "suggestion", "suggestions", "recommendation", "recommendations",
                "looking for", "want", "wanna", "in the mood", "find me", "give me", "show me",
                "something", "anything", "any ideas", "ideas", "what should", "what to watch",
                "what can", "movie", "movies", "film", "films", "watch", "need", "could use"]
OUT_OF_SCOPE_CUES = ["weather", "stock", "stocks", "recipe", "president", "election", "bitcoin",
                     "homework", "translate", "code", "python", "math", "calculate", "news",
                     "password", "bank", "doctor", "wifi", "capital of", "book me", "reservation",
                     "table for", "fix my", "tax", "taxes",
                     # attempts to re-task the assistant (prompt injection) are out of scope too
                     "ignore previous", "ignore all", "ignore your", "previous instructions", "system prompt",
                     "admin mode", "developer mode", "your prompt", "your instructions", "list all users",
                     "other users", "drop table", "jailbreak", "your config"]

# Item-question attributes and their trigger words.
QUESTION_ATTRIBUTES: dict[str, list[str]] = {
    "scary": ["scary", "frightening", "creepy", "too scary", "horror", "violent", "gory",
              "appropriate", "ok for kids", "okay for kids", "suitable", "kid friendly",
              "family friendly", "safe for", "for kids"],
    "runtime": ["how long", "runtime", "run time", "length", "minutes", "long is", "duration"],
    "mpaa": ["rated", "mpaa", "age rating", "certificate", "pg", "pg-13"],
    "rating": ["good", "any good", "reviews", "reviewed", "imdb", "score", "worth"],
    "year": ["when", "what year", "how old", "released", "come out", "came out"],
    "genre": ["genre", "what kind", "what type", "what sort", "about", "what is it"],
}
QUESTION_STARTS = ("is ", "how ", "what ", "when ", "does ", "do ", "can ", "would ", "will ",
                   "who ", "which ", "tell me about", "what's ", "whats ", "was ", "are ")

# Critiques relative to the shown list.
CRITIQUE_PHRASES: dict[str, list[str]] = {
    "shorter": ["shorter", "something shorter", "less long", "quicker", "too long", "not so long"],
    "longer": ["longer", "something longer", "too short"],
    "older": ["older", "something older", "more classic", "too new", "too recent"],
    "newer": ["newer", "more recent", "something newer", "too old", "something recent", "more modern"],
    "less_violent": ["less violent", "less violence", "too violent", "not so violent", "gentler",
                     "less gory", "softer", "too intense", "less intense", "less scary", "too scary",
                     "milder", "something milder", "tamer"],
    "funnier": ["funnier", "more funny", "more comedy", "lighter", "more light", "less serious",
                "too serious", "too heavy", "too dark", "depressing", "too depressing", "so depressing",
                "too sad", "happier", "more upbeat"],
    "darker": ["darker", "more serious", "more intense", "grittier", "edgier"],
    "better_rated": ["better rated", "better reviewed", "higher rated", "more acclaimed", "better ones"],
    "different": ["completely different", "something different", "totally different", "different",
                  "something else entirely", "change it up", "switch it up"],
    "another": ["another one like that", "another like that", "more like that", "more like this",
                "another one", "similar ones", "more of those", "like that one", "like that"],
}

ORDINALS: dict[str, int] = {
    "first": 0, "1st": 0, "second": 1, "2nd": 1, "third": 2, "3rd": 2, "fourth": 3, "4th": 3,
    "fifth": 4, "5th": 4, "sixth": 5, "6th": 5, "last": -1, "top": 0, "number one": 0,
    "number two": 1, "number three": 2, "number four": 3, "number five": 4, "#1": 0, "#2": 1,
    "#3": 2, "#4": 3, "#5": 4,
}

QUALITY_PHRASES = ["well reviewed", "well-reviewed", "highly rated", "highly-rated", "critically acclaimed",
                   "acclaimed", "good reviews", "top rated", "top-rated", "best rated", "award winning",
                   "award-winning", "masterpiece", "classic", "must see", "must-see", "great reviews"]
RECENT_PHRASES = ["recent", "new", "newer", "latest", "modern", "current", "new release", "new releases"]
OLD_PHRASES = ["old", "older", "classic", "classics", "old school", "old-school", "vintage", "golden age"]

NUMBER_WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
                "eight": 8, "nine": 9, "ten": 10, "a": 1, "an": 1, "half": 0.5}

# Words that alone never make a title mention unless the person capitalises them (e.g. "Up",
# "Kids", "Date Night"): function words plus the request vocabulary above.
COMMON_WORDS = set("""
a about above after again against all also am an and any anything are around as at away back be
because been before being best better between big both but by can could day did do does doing done
down during each either else enough even ever every few find first for from fun funny get give go
going good got great had has have having he her here hers him his home how i if in into is it its
just kind know last least less let lets like little long look lot love made make many maybe me more
most movie movies much must my need never new next nice night no none nor not nothing now of off
ok okay old on once one only or other our out over own perhaps please pretty quite rather really
recommend right same see seen she should show similar since so some something soon still such sure
take than that the their them then there these they thing things think this those though through
time to today together tonight too try two up us very want was watch watched way we week well were
what when where which while who why will with without would yeah yes yet you your film films
three four five six seven eight nine ten hour hours minute minutes night weekend evening morning
afternoon kids kid family friends friend wife husband girlfriend boyfriend partner date party
light dark home alone sad happy scary war love life man men woman women girl girls boy boys
""".split())
COMMON_WORDS.update("""dunno whatever actually changed mind fine sure maybe please idea ideas surprise
really mean guess okay cool thanks thank hello hey hi great awesome nice lovely tell said say
nope meh lol haha hmm helpful appeal feeling awful boring terrible unlike didn't didnt
""".split())
MORE_PHRASES = ["more", "more please", "show me more", "any more", "anymore", "others", "any others",
                "what else", "next", "other ones", "more options", "give me more", "keep going", "again"]
for _table in (GENRE_PHRASES, MOOD_PHRASES, OCCASION_PHRASES, COMPANION_PHRASES, TIME_OF_DAY_PHRASES,
               CRITIQUE_PHRASES, QUESTION_ATTRIBUTES):
    for _phrases in _table.values():
        for _p in _phrases:
            COMMON_WORDS.update(_p.split())
for _phrases in (NEGATION_CUES, LIKE_CUES, SEEN_CUES, GREETINGS, THANKS, RESET_PHRASES,
                 ACCEPT_PHRASES, REJECT_PHRASES, REQUEST_CUES, QUALITY_PHRASES, MORE_PHRASES,
                 FAMILY_SAFE_PHRASES, RECENT_PHRASES, OLD_PHRASES):
    for _p in _phrases:
        COMMON_WORDS.update(_p.split())

# Prototype sentences per mood, compared by embedding when no lexicon word names a mood.
MOOD_PROTOTYPES: dict[str, list[str]] = {
    "funny": ["something that makes me laugh out loud", "a movie full of jokes"],
    "light": ["something easy that doesn't need much attention", "nothing too heavy or demanding"],
    "thrilling": ["keep me on the edge of my seat", "a movie with lots of tension and excitement"],
    "scary": ["something that will give me nightmares", "a movie that frightens me"],
    "romantic": ["a movie about falling in love", "a love story that makes my heart melt"],
    "thoughtful": ["a movie that makes me think about life", "something that stays with me afterwards"],
    "sad": ["a movie that makes me cry", "a heartbreaking story"],
    "uplifting": ["something to cheer me up after a bad day", "a movie that leaves me feeling hopeful"],
    "relaxing": ["something calm to unwind with", "a soothing movie to wind down"],
    "dark": ["a grim and disturbing story", "something bleak about the dark side of people"],
    "epic": ["a huge sweeping story with grand battles", "a long epic journey"],
}
