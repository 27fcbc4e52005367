"""Word lists the synthetic names and tags are built from.

Genres come first with their most used tags (the genre name is the pool's top tag); the
general tags are the ones Last.fm users attach to any genre. Accented words are Latin-1
encodable, as tags.dat is a Latin-1 file. Lists are written as ``|``-separated strings.
"""

from __future__ import annotations


def _words(text: str) -> tuple[str, ...]:
    return tuple(word.strip() for word in text.split("|"))


GENRES: tuple[tuple[str, tuple[str, ...]], ...] = tuple(
    (name, _words(subgenres))
    for name, subgenres in (
        ("rock", "classic rock|hard rock|progressive rock|soft rock|rock n roll"),
        ("pop", "synthpop|dance-pop|pop rock|teen pop|power pop"),
        ("alternative", "alternative rock|grunge|britpop|shoegaze|noise rock"),
        ("electronic", "electronica|idm|electro|synth|glitch"),
        ("indie", "indie rock|indie pop|lo-fi|twee|indie folk"),
        ("metal", "heavy metal|death metal|black metal|thrash metal|doom metal"),
        ("hip-hop", "rap|hip hop|gangsta rap|underground hip-hop|trip-hop"),
        ("dance", "house|techno|trance|eurodance|disco"),
        ("punk", "punk rock|post-punk|pop punk|hardcore|emo"),
        ("rnb", "soul|r&b|neo-soul|funk|motown"),
        ("folk", "singer-songwriter|acoustic|folk rock|americana|celtic"),
        ("jazz", "smooth jazz|acid jazz|bebop|fusion|vocal jazz"),
        ("ambient", "chillout|downtempo|new age|drone|lounge"),
        ("gothic", "darkwave|goth rock|ebm|industrial|coldwave"),
        ("j-pop", "j-rock|visual kei|japanese|anime|k-pop"),
        ("classical", "piano|orchestral|baroque|opera|contemporary classical"),
        ("country", "bluegrass|alt-country|outlaw country|country pop|honky tonk"),
        ("blues", "blues rock|delta blues|electric blues|chicago blues|rhythm and blues"),
        ("reggae", "ska|dub|dancehall|roots reggae|rocksteady"),
        ("latin", "brazilian|mpb|bossa nova|salsa|tropicália"),
        ("experimental", "avant-garde|noise|post-rock|math rock|krautrock"),
        ("soundtrack", "film score|video game music|musical|score|ost"),
        ("world", "chanson française|flamenco|fado|afrobeat|música popular"),
        ("schlager", "deutsch|german|neue deutsche welle|liedermacher|volksmusik"),
    )
)

GENERAL_TAGS = _words(
    "female vocalists|seen live|favorites|love|80s|90s|british|american|male vocalists|"
    "beautiful|awesome|chill|catchy|60s|70s|00s|cover|instrumental|mellow|favourite|"
    "my favorite|sexy|party|sad|happy|melancholic|epic|guilty pleasure|oldies|amazing"
)

TAG_MODIFIERS = _words(
    "dark|melodic|progressive|experimental|atmospheric|symphonic|modern|classic|old school|"
    "underground|epic|brutal|minimal|psychedelic|post|neo|avant|funky|dreamy|raw|lo-fi|"
    "instrumental|acoustic|vocal|french|swedish|finnish|german|italian|russian|polish|"
    "brazilian|japanese|canadian|australian|spanish|greek|norwegian|uk|us"
)

TAG_SUFFIXES = _words(
    "love|forever|classics|gems|favourites|to check|for work|live|covers|ballads|anthems|"
    "vibes|collection|mix|songs|hits|best of|summer|winter|night|memories|stuff|i own|"
    "to listen|radio"
)

ACCENTED_TAG_WORDS = _words(
    "français|música|español|fußball|mágico|düsseldorf|tropicália|canción|schön|café|crème|"
    "señor|brasileño|québécois|naïve|für|über|ação|coração|paixão|élégant|mélancolie|"
    "rêverie|øresund|ängel|söt|jävla|niño|años|árvore"
)

FIRST_NAMES = _words(
    "Anna|Ben|Carla|David|Elena|Frank|Greta|Hugo|Iris|Jack|Kate|Leo|Maria|Nick|Olga|Paul|"
    "Rosa|Sam|Tina|Victor|Wendy|Yann|Zoe|Lisa|Tom|Emma|Max|Lily|Oscar|Nina|Alex|Amy|Chris|"
    "Dan|Eva|Fred|Gus|Hanna|Ian|Jenny|Kim|Luke|Mia|Ned|Pia"
)

LAST_NAMES = _words(
    "Smith|Jones|Carter|Miller|Davis|Garcia|Wilson|Moore|Taylor|Thomas|White|Harris|Martin|"
    "Clark|Lewis|Walker|Young|King|Wright|Hill|Green|Baker|Nelson|Rivera|Campbell|Parker|"
    "Evans|Collins|Stewart|Morris|Reed|Cook|Bell|Murphy|Bailey|Cooper"
)

ADJECTIVES = _words(
    "Black|Silver|Crimson|Electric|Silent|Broken|Golden|Velvet|Frozen|Burning|Hollow|Wild|"
    "Lost|Neon|Dead|Sweet|Bitter|Pale|Cosmic|Northern|Lonely|Savage|Holy|Crystal|Iron|Paper|"
    "Secret|Modern"
)

NOUNS = _words(
    "Wolves|Ravens|Hearts|Machines|Ghosts|Kings|Tigers|Shadows|Lights|Rivers|Mountains|"
    "Angels|Horses|Strangers|Dreams|Stars|Bones|Mirrors|Waves|Foxes|Saints|Sirens|Echoes|"
    "Robots|Flowers|Pilots"
)

SYLLABLES = _words(
    "ka|lo|mi|ra|zen|tor|vel|an|dra|ko|sha|ri|mu|tek|no|la|vi|sto|ne|ur|bel|go|xi|fa|lun|"
    "dor|qua|em|sil|ta|ron|ky|ma|pe|zu|or"
)

ACCENTED_NAME_WORDS = _words(
    "Björk|Sigur|Rós|Mötley|Röyks|Café|Céline|Beyoncé|Jónsi|Múm|Crüx|Bethânia|Stürmer|Åsa|"
    "Ørjan|Mägo|Niño|Señora|Zoë|Dvořák"
)

QUOTED_NICKNAMES = _words("Scratch|Left Eye|Gatemouth|Weird|Big|Lil|Slim|Kid|Doc|Ace")
